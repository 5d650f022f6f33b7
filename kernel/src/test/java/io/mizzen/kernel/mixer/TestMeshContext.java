package io.mizzen.kernel.mixer;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/** The slice of the kernel's context Mixer tests need: a real Vert.x, blocking work, lookups. */
public final class TestMeshContext implements MeshContext {
  private final Vertx vertx;
  private final Path stateDir;
  private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();

  public TestMeshContext(Vertx vertx, Path stateDir) {
    this.vertx = vertx;
    this.stateDir = stateDir;
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

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
    return stateDir;
  }

  @Override
  public Role role() {
    return Role.values()[0];
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
    return type.cast(services.get(type));
  }

  @Override
  public <T> void publish(Class<T> type, T service) {
    services.put(type, service);
  }
}
