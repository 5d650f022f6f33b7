package io.mizzen.kernel.citadel;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen token create|list|revoke}: bootstrap tokens for workloads outside Kubernetes. The
 * token is printed once on standard output; only its salted hash is kept in
 * {@code <state-dir>/}{@value TokenStore#FILE_NAME}, which the control plane's CSR service reads.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Manage bootstrap tokens that let a workload obtain its first certificate.",
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = "--state-dir", paramLabel = "DIR",
      defaultValue = "${env:MIZZEN_HOME:-.}/state/citadel",
      description = "Citadel's state folder: <state folder of mizzen.yaml>/citadel, as the control plane uses it "
          + "(default: ${DEFAULT-VALUE}).")
  Path stateDir;

  /** {@code mizzen token} alone: a usage error that lists the subcommands. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "specify a subcommand: create, list or revoke");
  }

  TokenStore store() {
    return TokenStore.inFolder(stateDir, Clock.systemUTC());
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Issue a token bound to one service account.")
  static class Create implements Callable<Integer> {
    @ParentCommand TokenCommand parent;
    @Spec CommandSpec spec;

    @Option(names = "--sa", required = true, description = "The service account the token proves.")
    String serviceAccount;

    @Option(names = "--ns", defaultValue = "default", description = "Its namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--ttl", defaultValue = "24h", description = "How long the token may be used, e.g. 1h, 7d, PT24H (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Override
    public Integer call() {
      Duration lifetime = parseDuration(spec, ttl);
      TokenStore.CreatedToken created;
      try {
        created = parent.store().create(namespace, serviceAccount, lifetime);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      PrintWriter out = parent.out();
      out.println(created.token());
      out.flush();
      spec.commandLine().getErr().println("token " + created.info().id() + " for " + namespace + "/" + serviceAccount
          + " expires " + created.info().expiresAt() + "; it is shown only now");
      return 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens (ids and bindings, never secrets).")
  static class ListTokens implements Callable<Integer> {
    @ParentCommand TokenCommand parent;

    @Override
    public Integer call() {
      PrintWriter out = parent.out();
      out.printf("%-12s  %-20s  %-24s  %s%n", "ID", "NAMESPACE", "SERVICE ACCOUNT", "EXPIRES");
      for (TokenStore.TokenInfo t : parent.store().list()) {
        out.printf("%-12s  %-20s  %-24s  %s%n", t.id(), t.namespace(), t.serviceAccount(), t.expiresAt());
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token by id.")
  static class Revoke implements Callable<Integer> {
    @ParentCommand TokenCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The token id (the part after mzt.).")
    String id;

    @Override
    public Integer call() {
      if (!parent.store().revoke(id)) {
        spec.commandLine().getErr().println("no token with id " + id);
        return 1;
      }
      parent.out().println("revoked " + id);
      parent.out().flush();
      return 0;
    }
  }

  static Duration parseDuration(CommandSpec spec, String text) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--ttl: " + e.getMessage());
    }
  }
}
