package io.mizzen.kernel.boot;

import io.mizzen.kernel.plugins.PluginHost;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
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

/**
 * The {@link MeshContext} one extension sees. The service registry is shared by all extensions
 * of one kernel (not static: two kernels in one JVM, as tests run them, do not meet).
 */
final class KernelContext implements MeshContext {
  private final Vertx vertx;
  private final MeshSettings settings;
  private final Role role;
  private final PluginHost plugins;
  private final Map<Class<?>, Object> services;
  private final String owner;

  KernelContext(Vertx vertx, MeshSettings settings, Role role, PluginHost plugins,
      Map<Class<?>, Object> services, String owner) {
    this.vertx = vertx;
    this.settings = settings;
    this.role = role;
    this.plugins = plugins;
    this.services = services;
    this.owner = owner;
  }

  static Map<Class<?>, Object> newServiceRegistry() {
    return new ConcurrentHashMap<>();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public <T> Future<T> executeBlocking(Callable<T> task) {
    return vertx.executeBlocking(task, false);
  }

  @Override
  public String trustDomain() {
    return settings.trustDomain();
  }

  @Override
  public String rootNamespace() {
    return settings.rootNamespace();
  }

  @Override
  public Path stateDir() {
    Path dir = settings.stateDir().resolve(owner);
    try {
      // Called at start-up by extensions; creating a folder is a quick local call.
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state folder " + dir, e);
    }
  }

  @Override
  public MeshPorts ports() {
    return settings.ports();
  }

  @Override
  public String bindAddress() {
    return settings.bindAddress();
  }

  @Override
  public Role role() {
    return role;
  }

  @Override
  public Map<String, Object> settings(String extensionName) {
    return settings.pluginSettings().getOrDefault(extensionName, Map.of());
  }

  @Override
  public <T> List<T> extensions(Class<T> extensionPoint) {
    return plugins.extensions(extensionPoint);
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
