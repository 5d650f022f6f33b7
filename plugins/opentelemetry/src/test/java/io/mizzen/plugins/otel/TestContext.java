package io.mizzen.plugins.otel;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** A MeshContext with Vert.x and the plugin's settings: what the adapter uses. */
record TestContext(Vertx vertx, Map<String, Object> pluginSettings) implements MeshContext {
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
  public Path stateDir() {
    return Path.of("target");
  }

  @Override
  public Role role() {
    return Role.CONTROL_PLANE;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return pluginSettings;
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
    throw new UnsupportedOperationException("not in this test");
  }
}
