package io.mizzen.plugins.prometheus;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The adapter's context in these tests: spi's standalone one, with the adapter's settings. */
final class TestContext {
  private TestContext() {}

  static MeshContext of(Vertx vertx, Map<String, Object> settings) {
    return MeshContext.standalone(vertx, Path.of("target"), Map.of("prometheus", settings), List.of());
  }
}
