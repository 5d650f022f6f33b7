package io.mizzen.kernel.citadel;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What the kernel gives the CA plugin, reduced to what it uses: Vert.x, the worker pool, the trust
 * domain and a state folder. Stands in for the kernel's plugin context, built in another part of
 * the kernel.
 */
record CaHost(Vertx vertx, Path stateDir) implements MeshContext {
  @Override
  public <T> Future<T> executeBlocking(Callable<T> task) {
    return vertx.executeBlocking(task, false);
  }

  @Override
  public String trustDomain() {
    return "cluster.local";
  }

  @Override
  public String rootNamespace() {
    return "istio-system";
  }

  @Override
  public Role role() {
    return Role.CONTROL_PLANE;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return Map.of();
  }

  @Override
  public <T> List<T> extensions(Class<T> extensionPoint) {
    return List.of();
  }

  @Override
  public <T> T lookup(Class<T> type) {
    return null;
  }

  @Override
  public <T> void publish(Class<T> type, T service) {
    throw new UnsupportedOperationException("the CA publishes nothing");
  }
}
