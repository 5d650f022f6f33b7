package io.mizzen.it.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin port of a kernel started with {@code ports.admin: 0}, read from the line it logs once
 * ready ({@code mizzen ... ready: ... admin on HOST:PORT}). The system picks the port, so no test
 * races another process for one it chose and closed.
 */
final class AdminPort {
  private static final Pattern READY = Pattern.compile("ready: .* admin on [^\\s]+:(\\d+)");

  private AdminPort() {}

  /** Waits for the ready line in {@code log}; fails with the log if the process exits or time runs out. */
  static int await(Process p, Path log, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      // Bytes, not readString: the file is being written and may end inside a character.
      String out = Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
      Matcher m = READY.matcher(out);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!p.isAlive()) {
        throw new AssertionError("exited with " + p.exitValue() + " before it was ready:\n" + out);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not ready within " + timeout + ":\n" + out);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }
}
