package io.mizzen.bench.mixer;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The little of a kernel's context the engine needs to run outside a kernel. */
record BenchContext(Vertx vertx, Path stateDir) implements MeshContext {
  @Override
  public <T> Future<T> executeBlocking(Callable<T> task) {
    return vertx.executeBlocking(task);
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
  public MeshPorts ports() {
    return MeshPorts.ephemeral();
  }

  @Override
  public Role role() {
    return Role.CONTROL_PLANE;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    // The prometheus adapter's /metrics on an ephemeral port, not Istio's 42422: two benches' engines may run at once.
    return extensionName.equals("prometheus") ? Map.of("port", 0) : Map.of();
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
    throw new UnsupportedOperationException("nothing is published outside a kernel");
  }
}
