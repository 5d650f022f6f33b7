package io.mizzen.kernel.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the shared Istio samples the way surefire points at them. */
final class Samples {
  private Samples() {}

  static Path root() {
    String shared = System.getProperty("mizzen.shared");
    Path base = shared != null ? Path.of(shared) : Path.of("../../shared");
    if (!Files.isDirectory(base.resolve("istio-samples"))) {
      base = Path.of("/work/shared");
    }
    return base.resolve("istio-samples").toAbsolutePath().normalize();
  }

  static List<Path> yamlFiles() {
    try (Stream<Path> s = Files.walk(root())) {
      return s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
