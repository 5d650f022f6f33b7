package io.mizzen.kernel.cli;

import io.mizzen.kernel.plugins.LoadedPlugin;
import io.mizzen.kernel.plugins.PluginActivation;
import io.mizzen.kernel.plugins.PluginHost;
import io.mizzen.kernel.plugins.PluginRefusal;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.SpiVersion;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mizzen plugins}: loads the plugins folder as a kernel would, lists each plugin with its
 * extensions, and each refused file with why. Exit 1 when a file was refused.
 */
@Command(name = "plugins", description = "List the plugins in the plugins folder and their extensions.")
final class PluginsCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  MizzenCommand parent;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    MeshSettings settings = parent.settings();
    PrintWriter out = spec.commandLine().getOut();
    Vertx vertx = Vertx.vertx();
    try {
      PluginHost host = PluginHost.create(vertx, settings.pluginsDir(),
          settings.stateDir().resolve("plugin-work"), SpiVersion.current(), PluginActivation.none());
      // A CLI tool on the main thread, not an event loop: waiting here is fine.
      host.scan().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      out.printf("plugins folder %s (SPI %s)%n", settings.pluginsDir(), SpiVersion.current());
      for (LoadedPlugin p : host.loaded()) {
        out.printf("%s %s  [%s]  requires %s%n", p.id(), p.version(), p.file().getFileName(),
            p.requires());
        for (LoadedPlugin.ExtensionInfo x : p.extensions()) {
          out.printf("    %-22s %-20s %s%n", x.point(), x.name(), x.className());
        }
      }
      if (host.loaded().isEmpty()) {
        out.println("(no plugins loaded)");
      }
      for (PluginRefusal r : host.refused()) {
        out.printf("REFUSED %s: %s%n", r.file().getFileName(), r.reason());
      }
      host.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return host.refused().isEmpty() ? 0 : 1;
    } finally {
      vertx.close();
    }
  }
}
