package io.mizzen.kernel.cli;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.Role;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A command that boots a kernel in one or more roles and runs until SIGTERM (or
 * {@code POST /quitquitquit}). A role no built function serves fails the boot with that reason
 * and exit code 2.
 */
abstract class RoleCommand implements Callable<Integer> {
  @CommandLine.ParentCommand
  MizzenCommand parent;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--admin-port", paramLabel = "PORT",
      description = "Override the admin port from the settings (0 picks a free one).")
  Integer adminPort;

  @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "5",
      description = "How long to let in-flight work finish on SIGTERM (default ${DEFAULT-VALUE}).")
  int drainSeconds;

  abstract Set<Role> roles();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    MeshSettings settings = parent.settings();
    if (adminPort != null) {
      settings = settings.withPorts(settings.ports().withAdmin(adminPort));
    }
    Kernel kernel;
    try {
      // The main thread waits for boot; event loops never do.
      kernel = Kernel.start(settings, roles()).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      err.println("mizzen " + spec.name() + ": cannot start: " + e.getCause().getMessage());
      return 2;
    }
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    Thread hook = new Thread(() -> {
      try {
        kernel.stop().toCompletionStage().toCompletableFuture()
            .get(drainSeconds + 5L, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        System.err.println("mizzen: shutdown was not clean: " + e);
      }
      stopped.complete(null);
    }, "mizzen-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    kernel.whenStopped().onComplete(v -> stopped.complete(null));
    try {
      stopped.get();
    } catch (ExecutionException e) {
      return 1;
    }
    return 0;
  }

  @Command(name = "control-plane", description = "Run the control plane: config store, "
      + "discovery, Pilot push, Citadel CA and Mixer servers.")
  static final class ControlPlane extends RoleCommand {
    @Override
    Set<Role> roles() {
      return Set.of(Role.CONTROL_PLANE);
    }
  }

  @Command(name = "sidecar", description = "Run the sidecar agent and proxy beside one workload.")
  static final class Sidecar extends RoleCommand {
    @Override
    Set<Role> roles() {
      return Set.of(Role.SIDECAR);
    }
  }

  @Command(name = "ingress", description = "Run an ingress gateway bound to Gateway resources.")
  static final class Ingress extends RoleCommand {
    @Override
    Set<Role> roles() {
      return Set.of(Role.INGRESS);
    }
  }

  @Command(name = "egress", description = "Run an egress gateway.")
  static final class Egress extends RoleCommand {
    @Override
    Set<Role> roles() {
      return Set.of(Role.EGRESS);
    }
  }
}
