package io.mizzen.kernel.plugins;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A plugin file the host refused, and why. It is retried only when the file changes.
 *
 * @param file the jar or zip
 * @param reason what was wrong, in words a user can act on
 * @param at when it was refused
 */
public record PluginRefusal(Path file, String reason, Instant at) {
  @Override
  public String toString() {
    return "plugin " + file.getFileName() + " refused: " + reason;
  }
}
