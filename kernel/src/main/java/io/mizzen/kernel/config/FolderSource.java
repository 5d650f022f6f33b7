package io.mizzen.kernel.config;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.config.ConfigSink;
import io.mizzen.spi.config.ConfigSource;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The built-in watched folder: every {@code .yaml}/{@code .yml} file under it (recursively) is one
 * origin in the store. The folder is rescanned at a short interval (a poll, not a watch service:
 * it sees edits through symlinks and on every file system alike); a file whose size or time
 * changed is re-read, a file gone is deleted from the store. A file with a YAML error is reported
 * with its line, and what it gave before stays in force.
 */
public final class FolderSource implements ConfigSource {
  private static final System.Logger LOG = System.getLogger(FolderSource.class.getName());

  private final Path folder;
  private final Duration every;
  private final ConfigLoader loader = ConfigLoader.create();
  private final Map<Path, String> seen = new HashMap<>();
  private final Map<String, List<String>> problems = new java.util.concurrent.ConcurrentHashMap<>();
  private MeshContext context;
  private long timer = -1;
  private boolean scanning;

  public FolderSource(Path folder, Duration every) {
    this.folder = folder.toAbsolutePath().normalize();
    this.every = every;
  }

  @Override
  public String name() {
    return "folder";
  }

  /** Completes after the first full read was handed to the store; fails when the folder cannot be made. */
  @Override
  public Future<Void> start(MeshContext ctx, ConfigSink sink) {
    this.context = ctx;
    return ctx.executeBlocking(() -> Files.createDirectories(folder))
        .compose(v -> scan(sink))
        .onSuccess(v -> timer = ctx.vertx().setPeriodic(every.toMillis(), id -> {
          if (!scanning) {
            scan(sink).onFailure(e -> LOG.log(System.Logger.Level.WARNING, "cannot scan " + folder + ": " + e.getMessage()));
          }
        }));
  }

  /** The errors of each file whose last read was refused in part or in whole (for {@code /debug/configz}). */
  public Map<String, List<String>> problems() {
    return Map.copyOf(problems);
  }

  /** A change of a file: its text (null when it is gone). */
  private record Change(Path file, String text) {}

  private Future<Void> scan(ConfigSink sink) {
    scanning = true;
    return context.executeBlocking(this::changes)
        .compose(changes -> {
          Future<Void> chain = Future.succeededFuture();
          for (Change c : changes) {
            chain = chain.compose(v -> hand(sink, c));
          }
          return chain;
        })
        .andThen(r -> scanning = false);
  }

  private List<Change> changes() throws IOException {
    Map<Path, String> now = new HashMap<>();
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path p : files.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
          .collect(Collectors.toList())) {
        try {
          now.put(p, Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
        } catch (IOException gone) {
          // Deleted between the listing and the look: it is simply not there now.
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<Change> changes = new ArrayList<>();
    for (Map.Entry<Path, String> e : now.entrySet()) {
      if (!e.getValue().equals(seen.get(e.getKey()))) {
        try {
          changes.add(new Change(e.getKey(), Files.readString(e.getKey())));
        } catch (IOException unreadable) {
          problems.put(e.getKey().toString(), List.of("cannot read: " + unreadable.getMessage()));
          continue;
        }
      }
    }
    for (Path old : Set.copyOf(seen.keySet())) {
      if (!now.containsKey(old)) {
        changes.add(new Change(old, null));
      }
    }
    seen.clear();
    seen.putAll(now);
    changes.sort(java.util.Comparator.comparing(c -> c.file().toString()));
    return changes;
  }

  private Future<Void> hand(ConfigSink sink, Change c) {
    String origin = c.file().toString();
    if (c.text() == null) {
      problems.remove(origin);
      return sink.replaceOrigin(origin, List.of()).mapEmpty();
    }
    Loaded loaded = loader.read(origin, c.text());
    List<ConfigProblem> errors = loaded.errors();
    if (!errors.isEmpty()) {
      List<String> reasons = errors.stream().map(ConfigProblem::toString).toList();
      problems.put(origin, reasons);
      sink.unreadable(origin, String.join("; ", reasons));
      return Future.succeededFuture();
    }
    return sink.replaceOrigin(origin, loaded.resources()).map(refused -> {
      if (refused.isEmpty()) {
        problems.remove(origin);
      } else {
        problems.put(origin, refused);
        refused.forEach(r -> LOG.log(System.Logger.Level.WARNING, r));
      }
      return null;
    });
  }

  /** Stops rescanning. */
  @Override
  public Future<Void> stop() {
    if (timer >= 0) {
      context.vertx().cancelTimer(timer);
    }
    return Future.succeededFuture();
  }
}
