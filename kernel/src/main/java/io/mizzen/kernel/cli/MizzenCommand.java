package io.mizzen.kernel.cli;

import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.settings.MeshSettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mizzen}: the root command; its subcommands are the roles and the operator tools. */
@Command(
    name = "mizzen",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "A service mesh for the JVM: Istio's YAML, Envoy's data plane, Mixer's adapters.",
    subcommands = {
      VersionCommand.class,
      PluginsCommand.class,
      RoleCommand.ControlPlane.class,
      RoleCommand.Sidecar.class,
      RoleCommand.Ingress.class,
      RoleCommand.Egress.class,
      io.mizzen.kernel.demo.DemoCommand.class,
      io.mizzen.kernel.config.ValidateCommand.class,
      io.mizzen.kernel.config.AnalyzeCommand.class,
      io.mizzen.kernel.pilot.ApplyCommand.Apply.class,
      io.mizzen.kernel.pilot.ApplyCommand.Delete.class,
      io.mizzen.kernel.pilot.GetCommand.class,
      io.mizzen.kernel.pilot.ProxyStatusCommand.class,
      io.mizzen.kernel.pilot.ProxyConfigCommand.class,
      io.mizzen.kernel.pilot.DescribeCommand.class,
      io.mizzen.kernel.inject.KubeInjectCommand.class,
      io.mizzen.kernel.inject.iptables.IptablesCommand.class,
      io.mizzen.kernel.citadel.TokenCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MizzenCommand implements Runnable {

  @Option(names = "--config", paramLabel = "FILE",
      description = "The mesh settings file (default: $MIZZEN_HOME/conf/mizzen.yaml if present).")
  Path config;

  @Option(names = "--home", paramLabel = "DIR",
      description = "The installation folder: plugins/, state/ and conf/ live here "
          + "(default: $MIZZEN_HOME, or the current folder).")
  Path home;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The settings these options point at (blocking file read: called before Vert.x starts). */
  public MeshSettings settings() {
    Path dir = home();
    Path file = config != null ? config : dir.resolve("conf").resolve("mizzen.yaml");
    if (config != null && !Files.exists(config)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "settings file " + config + " does not exist");
    }
    return MeshSettingsLoader.load(file, dir);
  }

  Path home() {
    if (home != null) {
      return home.toAbsolutePath();
    }
    String env = System.getenv("MIZZEN_HOME");
    return Path.of(env != null && !env.isBlank() ? env : ".").toAbsolutePath().normalize();
  }

  /** A command line with Mizzen's error handling: a bad option prints usage and exits 2. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MizzenCommand());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("mizzen: " + e.getMessage());
      return 2;
    });
    return cl;
  }
}
