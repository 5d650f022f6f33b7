package io.mizzen.kernel.inject.iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * The iptables invocations (arguments after the binary) that set up capture, in order, the
 * same chains and rules as Istio's istio-iptables so that existing debugging habits
 * ({@code iptables -t nat -S}) read the same.
 */
public final class RedirectRules {

  /** Source address the proxy uses for inbound passthrough to the app, never redirected again. */
  public static final String INBOUND_PASSTHROUGH_SOURCE = "127.0.0.6/32";
  /** The same for IPv6. */
  public static final String INBOUND_PASSTHROUGH_SOURCE_V6 = "::6/128";

  private RedirectRules() {}

  /** The iptables (IPv4) rules that install capture for {@code config} (none in mode NONE). */
  public static List<List<String>> install(CaptureConfig config) {
    return install(config, false);
  }

  /**
   * The rules that install capture for {@code config} in one address family: for ip6tables
   * when {@code ipv6}, with that family's loopback and ranges (none in mode NONE).
   */
  public static List<List<String>> install(CaptureConfig config, boolean ipv6) {
    String loopback = ipv6 ? "::1/128" : "127.0.0.1/32";
    List<String> excluded = config.excludeOutboundCidrs().stream().filter(c -> CaptureConfig.isIpv6(c) == ipv6).toList();
    List<String> included = config.includeOutboundCidrs().stream()
        .filter(c -> !c.equals(CaptureConfig.ALL) && CaptureConfig.isIpv6(c) == ipv6).toList();
    List<List<String>> rules = new ArrayList<>();
    if ("NONE".equals(config.mode())) {
      return rules;
    }
    for (String chain : List.of("ISTIO_INBOUND", "ISTIO_REDIRECT", "ISTIO_IN_REDIRECT", "ISTIO_OUTPUT")) {
      rules.add(nat("-N", chain));
    }
    rules.add(nat("-A", "ISTIO_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports", String.valueOf(config.proxyPort())));
    rules.add(nat("-A", "ISTIO_IN_REDIRECT", "-p", "tcp", "-j", "REDIRECT", "--to-ports",
        String.valueOf(config.inboundCapturePort())));

    if (!config.includeInboundPorts().isEmpty()) {
      rules.add(nat("-A", "PREROUTING", "-p", "tcp", "-j", "ISTIO_INBOUND"));
      if (config.capturesAllInbound()) {
        for (String port : config.excludeInboundPorts()) {
          rules.add(nat("-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "RETURN"));
        }
        rules.add(nat("-A", "ISTIO_INBOUND", "-p", "tcp", "-j", "ISTIO_IN_REDIRECT"));
      } else {
        for (String port : config.includeInboundPorts()) {
          rules.add(nat("-A", "ISTIO_INBOUND", "-p", "tcp", "--dport", port, "-j", "ISTIO_IN_REDIRECT"));
        }
      }
    }

    rules.add(nat("-A", "OUTPUT", "-p", "tcp", "-j", "ISTIO_OUTPUT"));
    for (String port : config.excludeOutboundPorts()) {
      rules.add(nat("-A", "ISTIO_OUTPUT", "-p", "tcp", "--dport", port, "-j", "RETURN"));
    }
    rules.add(nat("-A", "ISTIO_OUTPUT", "-o", "lo", "-s", ipv6 ? INBOUND_PASSTHROUGH_SOURCE_V6 : INBOUND_PASSTHROUGH_SOURCE,
        "-j", "RETURN"));
    ownerRules(rules, "--uid-owner", String.valueOf(config.proxyUid()), loopback);
    ownerRules(rules, "--gid-owner", String.valueOf(config.proxyGid()), loopback);
    // The app talking to localhost (container to container, or to the proxy itself) is not captured.
    rules.add(nat("-A", "ISTIO_OUTPUT", "-d", loopback, "-j", "RETURN"));
    for (String cidr : excluded) {
      rules.add(nat("-A", "ISTIO_OUTPUT", "-d", cidr, "-j", "RETURN"));
    }
    if (config.capturesAllOutbound()) {
      rules.add(nat("-A", "ISTIO_OUTPUT", "-j", "ISTIO_REDIRECT"));
    } else {
      for (String cidr : included) {
        rules.add(nat("-A", "ISTIO_OUTPUT", "-d", cidr, "-j", "ISTIO_REDIRECT"));
      }
    }
    return rules;
  }

  /** The rules that undo {@link #install}: unhook the chains, then flush and delete them. */
  public static List<List<String>> clean() {
    List<List<String>> rules = new ArrayList<>();
    rules.add(nat("-D", "PREROUTING", "-p", "tcp", "-j", "ISTIO_INBOUND"));
    rules.add(nat("-D", "OUTPUT", "-p", "tcp", "-j", "ISTIO_OUTPUT"));
    List<String> chains = List.of("ISTIO_INBOUND", "ISTIO_REDIRECT", "ISTIO_IN_REDIRECT", "ISTIO_OUTPUT");
    // Every chain is flushed before any is deleted: ISTIO_OUTPUT and ISTIO_INBOUND jump to the
    // redirect chains, which cannot be deleted while referenced.
    chains.forEach(chain -> rules.add(nat("-F", chain)));
    chains.forEach(chain -> rules.add(nat("-X", chain)));
    return rules;
  }

  /**
   * The proxy's own traffic must not loop back into itself, except when it calls its own pod
   * through a non-loopback address on lo (app → own service VIP): that goes to inbound capture.
   * Anything else on lo from other users is local traffic and stays untouched.
   */
  private static void ownerRules(List<List<String>> rules, String match, String id, String loopback) {
    rules.add(nat("-A", "ISTIO_OUTPUT", "-o", "lo", "!", "-d", loopback, "-m", "owner", match, id,
        "-j", "ISTIO_IN_REDIRECT"));
    rules.add(nat("-A", "ISTIO_OUTPUT", "-o", "lo", "-m", "owner", "!", match, id, "-j", "RETURN"));
    rules.add(nat("-A", "ISTIO_OUTPUT", "-m", "owner", match, id, "-j", "RETURN"));
  }

  private static List<String> nat(String... args) {
    List<String> rule = new ArrayList<>(List.of("-t", "nat"));
    rule.addAll(List.of(args));
    return List.copyOf(rule);
  }
}
