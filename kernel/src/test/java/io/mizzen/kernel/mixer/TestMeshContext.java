package io.mizzen.kernel.mixer;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshPorts;
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
  private final Map<String, Object> settings;
  private final List<?> extensions;
  private final Role role;

  public TestMeshContext(Vertx vertx, Path stateDir) {
    this(vertx, stateDir, Role.CONTROL_PLANE, Map.of(), List.of());
  }

  /** A context for {@code role} whose extensions (of any point) and mixer settings are given. */
  public TestMeshContext(Vertx vertx, Path stateDir, Role role, Map<String, Object> settings, List<?> extensions) {
    this.vertx = vertx;
    this.stateDir = stateDir;
    this.role = role;
    this.settings = settings;
    this.extensions = extensions;
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
  public MeshPorts ports() {
    return MeshPorts.ephemeral();
  }

  @Override
  public Role role() {
    return role;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return settings;
  }

  @Override
  public <T> List<T> extensions(Class<T> extensionPoint) {
    return extensions.stream().filter(extensionPoint::isInstance).map(extensionPoint::cast).toList();
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
