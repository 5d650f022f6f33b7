package io.mizzen.plugins.kubernetes;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The least a host must give the plugin: the real Vert.x, its worker pool and the plugin's
 * settings. The kernel's own context is not reachable from a plugin's tests (plugins never see
 * the kernel), so this stands in for it.
 */
record StandaloneMeshContext(Vertx vertx, Map<String, Object> kubernetesSettings, Path stateDir, Object published)
    implements MeshContext {

  /** A context with no state folder and nothing published. */
  StandaloneMeshContext(Vertx vertx, Map<String, Object> kubernetesSettings) {
    this(vertx, kubernetesSettings, null, null);
  }

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
  public Path stateDir() {
    if (stateDir == null) {
      throw new UnsupportedOperationException("the kubernetes plugin keeps no state");
    }
    return stateDir;
  }

  @Override
  public Role role() {
    return Role.CONTROL_PLANE;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return extensionName.equals("kubernetes") ? kubernetesSettings : Map.of();
  }

  @Override
  public <T> List<T> extensions(Class<T> extensionPoint) {
    return List.of();
  }

  @Override
  public <T> T lookup(Class<T> type) {
    return type.isInstance(published) ? type.cast(published) : null;
  }

  @Override
  public <T> void publish(Class<T> type, T service) {
    throw new UnsupportedOperationException("nothing is published in these tests");
  }
}
