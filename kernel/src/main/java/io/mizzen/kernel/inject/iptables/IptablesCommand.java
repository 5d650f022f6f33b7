package io.mizzen.kernel.inject.iptables;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mizzen iptables}: the init container's command. Takes istio-iptables' flags and
 * installs the redirect rules in the pod's network namespace (needs NET_ADMIN and NET_RAW), or
 * prints them with {@code --dry-run}.
 *
 * <p>A one-shot process that runs before the app: it blocks on each iptables call on purpose,
 * since each rule depends on the chains made before it.
 */
@Command(name = "iptables", mixinStandardHelpOptions = true,
    description = "Set up transparent capture of the pod's TCP traffic into the sidecar (as istio-iptables).")
public final class IptablesCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "-p", defaultValue = "15001", description = "Port outbound traffic is redirected to (default: ${DEFAULT-VALUE}).")
  int proxyPort;

  @Option(names = "-z", defaultValue = "15006", description = "Port inbound traffic is redirected to (default: ${DEFAULT-VALUE}).")
  int inboundCapturePort;

  @Option(names = "-u", defaultValue = "1337", description = "UID of the proxy, never redirected (default: ${DEFAULT-VALUE}).")
  int proxyUid;

  @Option(names = "-g", description = "GID of the proxy, never redirected (default: the UID).")
  Integer proxyGid;

  @Option(names = "-m", defaultValue = "REDIRECT", description = "Interception mode: REDIRECT or NONE (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "-b", defaultValue = "*", description = "Inbound ports to capture, comma separated, or '*' (default).")
  String includeInboundPorts;

  @Option(names = "-d", defaultValue = "", description = "Inbound ports not captured when '-b *'.")
  String excludeInboundPorts;

  @Option(names = "-o", defaultValue = "", description = "Outbound destination ports not captured.")
  String excludeOutboundPorts;

  @Option(names = "-i", defaultValue = "*", description = "Outbound IP ranges to capture, or '*' (default).")
  String includeOutboundCidrs;

  @Option(names = "-x", defaultValue = "", description = "Outbound IP ranges not captured.")
  String excludeOutboundCidrs;

  @Option(names = "--dry-run", description = "Print the iptables commands instead of running them.")
  boolean dryRun;

  @Option(names = "--clean", description = "Only remove the capture chains (installing always removes earlier ones first).")
  boolean clean;

  @Option(names = "--iptables", defaultValue = "iptables", description = "The iptables binary (default: ${DEFAULT-VALUE}).")
  String iptables;

  @Option(names = "--ipv6", description = "Capture IPv6 too, with ip6tables (for pods with an IPv6 address).")
  boolean ipv6;

  @Option(names = "--ip6tables", defaultValue = "ip6tables", description = "The ip6tables binary (default: ${DEFAULT-VALUE}).")
  String ip6tables;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CaptureConfig config;
    try {
      config = new CaptureConfig(proxyPort, inboundCapturePort, proxyUid, proxyGid == null ? proxyUid : proxyGid, mode,
          CaptureConfig.split(includeInboundPorts), CaptureConfig.split(excludeInboundPorts),
          CaptureConfig.split(excludeOutboundPorts), CaptureConfig.split(includeOutboundCidrs),
          CaptureConfig.split(excludeOutboundCidrs), ipv6);
    } catch (IllegalArgumentException e) {
      err.println("iptables: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (!clean && "NONE".equals(config.mode())) {
      out.println("# interception mode NONE: no rules");
      out.flush();
      return 0;
    }
    boolean ok = family(config, iptables, false, out, err) && (!ipv6 || family(config, ip6tables, true, out, err));
    out.flush();
    return ok ? 0 : 1;
  }

  /** Cleans, then (unless --clean) installs, one address family; false when a rule failed. */
  private boolean family(CaptureConfig config, String binary, boolean v6, PrintWriter out, PrintWriter err) {
    String family = v6 ? "IPv6 " : "";
    // A restarted init container finds its earlier chains in the pod's namespace: remove them
    // first, so that a rerun installs the same rules instead of failing on "Chain already exists".
    out.println("# remove " + family + "capture rules left by an earlier run");
    for (List<String> rule : RedirectRules.clean()) {
      if (!apply(binary, rule, true, out, err)) {
        return false;
      }
    }
    if (!clean) {
      out.println("# install " + family + "capture rules");
      for (List<String> rule : RedirectRules.install(config, v6)) {
        if (!apply(binary, rule, false, out, err)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Runs (or prints) one rule; false when a rule that must succeed failed. */
  private boolean apply(String binary, List<String> rule, boolean mayBeAbsent, PrintWriter out, PrintWriter err) {
    String line = binary + " " + String.join(" ", quoted(rule));
    if (dryRun) {
      out.println(line);
      return true;
    }
    Result r = run(binary, rule);
    if (r.exitCode() == 0) {
      out.println(line);
    } else if (mayBeAbsent) {
      // Cleaning a namespace that was never set up is normal; say so and go on.
      out.println(line + "  # not present (exit " + r.exitCode() + ")");
    } else {
      err.println("iptables: '" + line + "' failed with exit code " + r.exitCode() + ": " + r.output().strip());
      err.flush();
      out.flush();
      return false;
    }
    return true;
  }

  private record Result(int exitCode, String output) {}

  private Result run(String binary, List<String> rule) {
    List<String> command = new ArrayList<>();
    command.add(binary);
    command.addAll(rule);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Result(p.waitFor(), output);
    } catch (IOException e) {
      return new Result(127, "cannot run " + binary + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(130, "interrupted");
    }
  }

  private static List<String> quoted(List<String> rule) {
    return rule.stream().map(a -> a.equals("!") || a.matches("[A-Za-z0-9_./:*-]+") ? a : "'" + a + "'").toList();
  }
}
