package io.mizzen.kernel.mixer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the Istio samples are: {@code -Dmizzen.shared} (surefire sets it), else {@code ../shared}
 * beside the repo root (from a git worktree under {@code wt/}, one level further up).
 */
public final class SharedSamples {
  private SharedSamples() {}

  public static Path istioSamples() {
    List<Path> candidates = new ArrayList<>();
    String prop = System.getProperty("mizzen.shared");
    if (prop != null) {
      candidates.add(Path.of(prop));
    }
    candidates.add(Path.of("..", "..", "shared"));
    candidates.add(Path.of("..", "..", "..", "shared"));
    for (Path shared : candidates) {
      Path samples = shared.resolve("istio-samples").toAbsolutePath().normalize();
      if (Files.isDirectory(samples)) {
        return samples;
      }
    }
    throw new IllegalStateException("Istio samples not found in any of " + candidates + " (set -Dmizzen.shared)");
  }
}
