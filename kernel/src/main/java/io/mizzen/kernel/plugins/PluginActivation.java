package io.mizzen.kernel.plugins;

import io.vertx.core.Future;
import java.util.List;

/**
 * What the kernel does when a plugin's extensions arrive or leave: start the mesh functions that
 * serve its role, stop them again.
 */
public interface PluginActivation {

  /**
   * Puts a freshly loaded plugin's extensions to work.
   *
   * @return a Future completed once they run; a failure makes the host unload the plugin and
   *     refuse its file with the failure's message
   */
  Future<Void> activate(String pluginId, List<Object> extensions);

  /**
   * Takes a plugin's extensions out of service before it is unloaded.
   *
   * @return a Future completed once nothing uses them any more; a failure is logged and the
   *     plugin is unloaded all the same
   */
  Future<Void> deactivate(String pluginId, List<Object> extensions);

  /** Activation that does nothing: for tools that only list plugins. */
  static PluginActivation none() {
    return new PluginActivation() {
      @Override
      public Future<Void> activate(String pluginId, List<Object> extensions) {
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> deactivate(String pluginId, List<Object> extensions) {
        return Future.succeededFuture();
      }
    };
  }
}
