package io.mizzen.kernel.citadel;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the kernel gives the CA plugin, reduced to what it uses: spi's standalone context with a
 * state folder and no settings.
 */
final class CaHost {
  private CaHost() {}

  static MeshContext of(Vertx vertx, Path stateDir) {
    return MeshContext.standalone(vertx, stateDir, Map.of(), List.of());
  }
}
