package io.mizzen.spi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/** {@link MeshContext#standalone}: a context without a kernel. */
record StandaloneContext(
    Vertx vertx, Path stateDir, Map<String, Map<String, Object>> allSettings, List<Object> others,
    Map<Class<?>, Object> services) implements MeshContext {

  StandaloneContext {
    allSettings = Map.copyOf(allSettings);
    others = List.copyOf(others);
    services = new ConcurrentHashMap<>(services);
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
    try {
      return Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state folder " + stateDir, e);
    }
  }

  @Override
  public Role role() {
    return Role.CONTROL_PLANE;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return allSettings.getOrDefault(extensionName, Map.of());
  }

  @Override
  public <T> List<T> extensions(Class<T> extensionPoint) {
    return others.stream().filter(extensionPoint::isInstance).map(extensionPoint::cast).toList();
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
