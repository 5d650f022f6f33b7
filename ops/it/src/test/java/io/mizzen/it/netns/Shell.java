package io.mizzen.it.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs outside programs (ip, iptables, curl) and says exactly what ran when one fails. */
final class Shell {
  /** What a program printed and how it ended. */
  record Result(List<String> command, int code, String output) {
    boolean ok() {
      return code == 0;
    }

    /** The output, or an AssertionError naming the command when it failed. */
    String checked() {
      if (code != 0) {
        throw new AssertionError(String.join(" ", command) + " exited " + code + ": " + output.strip());
      }
      return output;
    }
  }

  private Shell() {}

  static Result run(List<String> command) {
    return run(command, 60);
  }

  static Result run(List<String> command, int timeoutSeconds) {
    try {
      Path out = Files.createTempFile("mz-netns-", ".out");
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return new Result(command, 124, "timed out after " + timeoutSeconds + " s: " + Files.readString(out));
        }
        return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      return new Result(command, 127, "cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(command, 130, "interrupted");
    }
  }

  static Result run(String... command) {
    return run(List.of(command));
  }

  /** {@code command} inside network namespace {@code ns}. */
  static List<String> in(String ns, String... command) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    all.addAll(List.of(command));
    return all;
  }

  static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
