package io.mizzen.kernel.inject;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds ../shared (the Istio samples): the mizzen.shared property, else the nearest ancestor's shared/. */
final class SharedSamples {

  private SharedSamples() {}

  static Path root() {
    String prop = System.getProperty("mizzen.shared");
    if (prop != null && Files.isDirectory(Path.of(prop, "istio-samples"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("shared/istio-samples"))) {
        return p.resolve("shared");
      }
    }
    throw new IllegalStateException("no shared/istio-samples: set -Dmizzen.shared (was " + prop + ")");
  }

  static Path samples() {
    return root().resolve("istio-samples");
  }

  /** The repository root (the folder holding kernel/ and ops/), for tests of ops files. */
  static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("kernel")) && Files.isDirectory(p.resolve("ops"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
  }
}
