package io.mizzen.kernel.boot;

import io.mizzen.kernel.plugins.PluginHost;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;

/** A running Mizzen process: its role's functions, its plugins and its admin server. */
public interface Kernel {

  /**
   * Boots a kernel playing {@code roles} (the demo plays several).
   *
   * @return a Future completed once every function of the roles has started and the admin
   *     server listens; failed (with everything started so far stopped again) if a function
   *     cannot start, or if no function serves a role
   */
  static Future<Kernel> start(MeshSettings settings, Set<Role> roles) {
    return KernelBoot.start(settings, roles);
  }

  Vertx vertx();

  MeshSettings settings();

  PluginHost plugins();

  /** The functions running now, in start order. */
  List<MeshFunction> functions();

  /** The admin server's actual port (differs from the settings when they say 0). */
  int adminPort();

  /** Whether every running function is ready. */
  boolean ready();

  /** Finds a service a function published (the config store, say), or null. */
  <T> T lookup(Class<T> type);

  /** A Future completed once the kernel has stopped, whoever stopped it. */
  Future<Void> whenStopped();

  /**
   * Stops functions in reverse start order, unloads plugins, closes Vert.x.
   *
   * @return a Future completed when all is down
   */
  Future<Void> stop();
}
