package io.mizzen.spi;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What the kernel gives every extension: the shared Vert.x instance, a way to run blocking work,
 * the mesh-wide settings, and the other extensions it may call. Extensions never start threads
 * of their own and never keep static state; they take all of it from here.
 */
public interface MeshContext {

  /** The one Vert.x instance of this process. */
  Vertx vertx();

  /**
   * Runs blocking work (file I/O, key generation, signing, synchronous cluster calls) off the
   * event loop.
   *
   * @return a Future completed on the caller's context with the task's result, or failed with
   *     whatever the task threw
   */
  <T> Future<T> executeBlocking(Callable<T> task);

  /** The mesh's trust domain, as in {@code spiffe://<trust-domain>/...}; {@code cluster.local} by default. */
  String trustDomain();

  /** The root namespace whose config applies mesh-wide ({@code istio-system} by default). */
  String rootNamespace();

  /** A folder this extension may keep state in; created on first call, private to its plugin. */
  Path stateDir();

  /**
   * The ports of this process (as configured; 0 means the listener picks one). A default method
   * so that hosts written against SPI 1.0 still compile.
   */
  default MeshPorts ports() {
    return MeshPorts.defaults();
  }

  /** The address listeners bind ({@code 127.0.0.1} by default). */
  default String bindAddress() {
    return "127.0.0.1";
  }

  /** The role this process is playing. */
  Role role();

  /**
   * This extension's own settings from {@code mizzen.yaml} ({@code plugins.settings.<name>}), or an
   * empty map. Validated by the extension itself.
   */
  Map<String, Object> settings(String extensionName);

  /** The loaded extensions of a given point, system ones first, in a stable order. */
  <T> List<T> extensions(Class<T> extensionPoint);

  /**
   * A named service another function published with {@link #publish}, such as the config store
   * or the Mixer engine. Lets functions meet at run time without importing each other.
   *
   * @return the service, or {@code null} if none of that type is published yet
   */
  <T> T lookup(Class<T> type);

  /** Makes a service available to other functions through {@link #lookup}. */
  <T> void publish(Class<T> type, T service);

  /**
   * A context without a kernel, for running an extension on its own: a plugin's tests, a
   * benchmark, a tool. Trust domain {@code cluster.local}, root namespace {@code istio-system},
   * role control plane, loopback ports; {@code publish}/{@code lookup} work within it.
   *
   * @param stateDir the extension's state folder (created on first use)
   * @param settings per-extension settings, by extension name
   * @param extensions what {@link #extensions} answers (other extensions the one under test uses)
   */
  static MeshContext standalone(Vertx vertx, Path stateDir, Map<String, Map<String, Object>> settings,
      List<Object> extensions) {
    return new StandaloneContext(vertx, stateDir, settings, extensions, Map.of());
  }
}
