package io.mizzen.plugins.ca.bouncycastle;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CA's host in these tests: spi's standalone context (the kernel is not reachable from a
 * plugin's tests), with the CA's settings under its name.
 */
final class StandaloneMeshContext {
  private StandaloneMeshContext() {}

  static MeshContext of(Vertx vertx, Path stateDir, Map<String, Object> caSettings) {
    return MeshContext.standalone(vertx, stateDir, Map.of(BouncyCastleAuthority.NAME, caSettings), List.of());
  }
}
