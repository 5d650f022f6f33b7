package io.mizzen.kernel.plugins;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;

/**
 * The PF4J plugin host. Every PF4J call runs off the event loop; the lists it answers are
 * immutable snapshots, safe to read from any thread.
 */
public interface PluginHost {

  /** The extension points the host instantiates, for plugins and for the classpath alike. */
  List<Class<?>> EXTENSION_POINTS = List.of(
      io.mizzen.spi.MeshFunction.class,
      io.mizzen.spi.discovery.ServiceRegistry.class,
      io.mizzen.spi.config.ConfigSource.class,
      io.mizzen.spi.ca.CertificateAuthority.class,
      io.mizzen.spi.ca.IdentityVerifier.class,
      io.mizzen.spi.mixer.MixerAdapter.class,
      io.mizzen.spi.filter.HttpFilter.class);

  /**
   * A host for the jars in {@code pluginsDir}.
   *
   * @param workDir where zip plugins are expanded
   * @param spiVersion the SPI version plugins' {@code Plugin-Requires} must admit
   */
  static PluginHost create(Vertx vertx, Path pluginsDir, Path workDir, String spiVersion,
      PluginActivation activation) {
    return new Pf4jPluginHost(vertx, pluginsDir, workDir, spiVersion, activation);
  }

  /**
   * Brings the host in line with the folder: loads new files, unloads removed ones, reloads
   * changed ones. Scans never overlap.
   *
   * @return a Future completed when the folder has been dealt with; bad plugins do not fail
   *     it (they are refused), only an unreadable folder does
   */
  Future<Void> scan();

  /** The plugins loaded now. */
  List<LoadedPlugin> loaded();

  /** The files refused now, with why. */
  List<PluginRefusal> refused();

  /** Every instance of an extension point: the classpath's first, then the plugins' in load order. */
  <T> List<T> extensions(Class<T> point);

  /** Which plugin an extension instance came from, or {@code null} for the classpath. */
  String pluginOf(Object extension);

  /**
   * Unloads a loaded plugin and refuses its file with {@code reason} (until the file changes):
   * for a plugin whose extension failed after loading.
   *
   * @return a Future completed once it is unloaded
   */
  Future<Void> evict(String pluginId, String reason);

  /**
   * Unloads every plugin (deactivating their extensions first).
   *
   * @return a Future completed once all are unloaded
   */
  Future<Void> close();
}
