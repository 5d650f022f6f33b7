package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads Istio YAML unchanged into {@link Resource}s: multi-document files, every apiVersion and
 * kind Mizzen serves, Mixer's kinds untyped, and a note (not an error) for Kubernetes kinds and
 * API groups it does not serve. Every resource keeps its file, document index and the line of
 * each field. Reading does not validate beyond what is needed to name a resource; see
 * {@link ConfigValidator}.
 *
 * <p>The methods that take a {@link Path} read files and block: call them from a worker
 * ({@code executeBlocking}) or a command line, never from an event loop.
 */
public interface ConfigLoader {

  /** A loader; it keeps no state between calls. */
  static ConfigLoader create() {
    return new YamlConfigLoader();
  }

  /** Reads YAML {@code text} that came from {@code origin} (a file name, or {@code apply}). */
  Loaded read(String origin, String text);

  /**
   * Reads a file, or every {@code .yaml}/{@code .yml} file under a folder (sorted, recursively).
   * An unreadable file is an error in the result, not an exception.
   */
  Loaded read(Path fileOrFolder);

  /**
   * {@link #read(Path)} on a worker thread, for callers on an event loop.
   *
   * @return a Future completed with what was read (problems included); failed only if the worker
   *     itself fails
   */
  default Future<Loaded> read(Vertx vertx, Path fileOrFolder) {
    return vertx.executeBlocking(() -> read(fileOrFolder));
  }

  /** Renders resources as a multi-document YAML stream that reads back to equal resources. */
  String toYaml(List<Resource> resources);
}
