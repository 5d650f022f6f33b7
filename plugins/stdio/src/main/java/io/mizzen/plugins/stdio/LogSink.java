package io.mizzen.plugins.stdio;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where lines go. Every write runs on a worker (console and file writes can block) and writes
 * are chained, so lines keep their order even though workers are a pool.
 */
final class LogSink {
  private final MeshContext context;
  private final StdioAdapter.Params params;
  private Future<Void> tail = Future.succeededFuture();
  private BufferedWriter file;
  private long size;

  private LogSink(MeshContext context, StdioAdapter.Params params) {
    this.context = context;
    this.params = params;
  }

  static LogSink of(StdioAdapter.Params params, MeshContext context) {
    return new LogSink(context, params);
  }

  /** @return a Future completed once the lines are written (flushed), failed on an I/O error */
  synchronized Future<Void> write(List<String> lines) {
    Future<Void> next = tail.transform(ignored -> context.executeBlocking(() -> {
      writeNow(lines);
      return null;
    }));
    tail = next;
    return next;
  }

  /** @return a Future completed once pending lines are written and the file is closed */
  synchronized Future<Void> close() {
    Future<Void> next = tail.transform(ignored -> context.executeBlocking(() -> {
      if (file != null) {
        file.close();
        file = null;
      }
      return null;
    }));
    tail = next;
    return next;
  }

  private void writeNow(List<String> lines) throws IOException {
    switch (params.stream()) {
      case STDOUT -> print(System.out, lines);
      case STDERR -> print(System.err, lines);
      default -> writeFile(lines);
    }
  }

  private static void print(PrintStream out, List<String> lines) {
    StringBuilder b = new StringBuilder();
    lines.forEach(l -> b.append(l).append('\n'));
    out.print(b);
    out.flush();
  }

  private void writeFile(List<String> lines) throws IOException {
    Path path = params.outputPath();
    if (file == null) {
      Path parent = path.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      size = Files.exists(path) ? Files.size(path) : 0;
      file = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    for (String line : lines) {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      if (params.stream() == StdioAdapter.Stream.ROTATED_FILE && size > 0 && size + bytes.length > params.rotationBytes()) {
        rotate(path);
      }
      file.write(line);
      file.write('\n');
      size += bytes.length;
    }
    file.flush();
  }

  /** path → path.1 → path.2 …; backups past maxBackupsBeforeRemoval are deleted. */
  private void rotate(Path path) throws IOException {
    file.close();
    int keep = params.maxBackups();
    Path oldest = backup(path, keep);
    Files.deleteIfExists(oldest);
    for (int i = keep - 1; i >= 1; i--) {
      Path from = backup(path, i);
      if (Files.exists(from)) {
        Files.move(from, backup(path, i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (keep > 0) {
      Files.move(path, backup(path, 1), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.delete(path);
    }
    file = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    size = 0;
  }

  private static Path backup(Path path, int n) {
    return path.resolveSibling(path.getFileName() + "." + n);
  }
}
