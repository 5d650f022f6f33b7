package io.mizzen.proxy.route;

import io.mizzen.proxy.gateway.GatewayPort;
import io.mizzen.proxy.gateway.GatewayServer;
import io.mizzen.proxy.tcp.L4Route;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.networking.Gateway;
import io.mizzen.spi.config.networking.L4MatchAttributes;
import io.mizzen.spi.config.networking.RouteDestination;
import io.mizzen.spi.config.networking.Server;
import io.mizzen.spi.config.networking.TcpRoute;
import io.mizzen.spi.config.networking.TlsMatchAttributes;
import io.mizzen.spi.config.networking.TlsRoute;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The listeners of an ingress or egress proxy under one snapshot: the servers of the Gateways
 * selecting it, grouped by port, and for each port the HTTP virtual hosts, {@code tcp:} and
 * {@code tls:} routes of the VirtualServices bound to those Gateways, restricted to the hosts
 * the servers on that port expose.
 */
final class GatewayPlan {
  /** Compiles one Istio destination of a route (MeshModel's clusters). */
  @FunctionalInterface
  interface Destinations {
    Destination of(io.mizzen.spi.config.networking.Destination d, int weight, String field);
  }

  private final Map<String, List<GatewayServer>> servers = new LinkedHashMap<>();
  private final Map<Integer, List<VirtualHost>> http = new TreeMap<>();
  private final Map<Integer, List<L4Route>> tcp = new TreeMap<>();
  private final Map<Integer, List<L4Route>> tls = new TreeMap<>();
  private Map<String, Destination> sniClusters = Map.of();

  /** A Gateway selecting this proxy. */
  void gateway(Resource r, Gateway gw) {
    List<GatewayServer> list = new ArrayList<>();
    for (int i = 0; i < gw.servers().size(); i++) {
      Server s = gw.servers().get(i);
      list.add(GatewayServer.of(r.name(), r.namespace(), "Gateway " + r.namespace() + "/" + r.name() + " servers[" + i + "]",
          s.port().number(), s.port().protocol(), s.hosts(), s.tls()));
    }
    servers.put(r.name(), list);
  }

  private Map<Integer, List<GatewayServer>> byPort(List<String> serving, java.util.function.Predicate<GatewayServer> kind) {
    Map<Integer, List<GatewayServer>> out = new TreeMap<>();
    for (String g : serving) {
      for (GatewayServer s : servers.getOrDefault(g, List.of())) {
        if (kind.test(s)) {
          out.computeIfAbsent(s.port(), p -> new ArrayList<>()).add(s);
        }
      }
    }
    return out;
  }

  /** A VirtualService's {@code http:} routes, on every port whose HTTP servers expose one of its hosts. */
  void http(String name, String vsNamespace, List<String> serving, List<String> vsHosts, List<Route> routes,
      Function<String, List<String>> domainsOf) {
    byPort(serving, s -> s.http() && !s.passthrough()).forEach((port, list) -> {
      List<String> plain = new ArrayList<>();
      List<String> redirect = new ArrayList<>();
      for (String h : vsHosts) {
        GatewayServer s = list.stream().filter(x -> x.exposes(h, vsNamespace)).findFirst().orElse(null);
        if (s != null) {
          (s.httpsRedirect() ? redirect : plain).addAll(domainsOf.apply(h));
        }
      }
      List<VirtualHost> hosts = http.computeIfAbsent(port, p -> new ArrayList<>());
      if (!plain.isEmpty()) {
        hosts.add(new VirtualHost(name, plain, routes));
      }
      if (!redirect.isEmpty()) {
        // Envoy's require_tls: every request for these hosts gets a 301 to https.
        Route toHttps = new Route(name + ".httpsRedirect", List.of(), List.of(), 0,
            new Route.Redirect(null, null, 301, "https"), null, null, null, RetryPolicy.NONE, null, null, 0, null,
            HeaderOps.NONE, HeaderOps.NONE);
        hosts.add(new VirtualHost(name + " (httpsRedirect)", redirect, List.of(toHttps)));
      }
    });
  }

  /** A VirtualService's {@code tcp:} routes, on the TCP ports (and TLS ports terminated here) exposing its hosts. */
  void tcp(String name, String vsNamespace, String where, List<String> serving, List<String> vsHosts, List<TcpRoute> rules,
      Destinations destinations) {
    List<L4Route> compiled = compileTcp(name, where, serving, rules, destinations);
    byPort(serving, s -> !s.http() && !s.passthrough()).forEach((port, list) -> {
      if (vsHosts.stream().anyMatch(h -> list.stream().anyMatch(s -> s.exposes(h, vsNamespace)))) {
        tcp.computeIfAbsent(port, p -> new ArrayList<>()).addAll(compiled);
      }
    });
  }

  /** A VirtualService's {@code tcp:} rules as L4 routes, the matches naming another gateway than {@code serving} left out. */
  static List<L4Route> compileTcp(String name, String where, List<String> serving, List<TcpRoute> rules,
      Destinations destinations) {
    List<L4Route> compiled = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      TcpRoute rule = rules.get(i);
      String field = "spec.tcp[" + i + "]";
      List<L4Route.Match> matches = new ArrayList<>();
      List<L4MatchAttributes> ms = rule.match() == null ? List.of() : rule.match();
      for (int m = 0; m < ms.size(); m++) {
        L4MatchAttributes a = ms.get(m);
        if (a.gateways() != null && !a.gateways().isEmpty()
            && RouteCompiler.shortGateways(a.gateways()).stream().noneMatch(serving::contains)) {
          continue;
        }
        matches.add(match(where, field + ".match[" + m + "]", null, a.port(), a.destinationSubnets(), a.sourceSubnet(),
            a.sourceLabels()));
      }
      if (!ms.isEmpty() && matches.isEmpty()) {
        continue;
      }
      compiled.add(l4(name + ".tcp[" + i + "]", where, field, matches, rule.route(), destinations));
    }
    return compiled;
  }

  /** A VirtualService's {@code tls:} routes (SNI), on the PASSTHROUGH ports exposing its hosts. */
  void tls(String name, String vsNamespace, String where, List<String> serving, List<String> vsHosts, List<TlsRoute> rules,
      Destinations destinations) {
    List<L4Route> compiled = compileTls(name, where, serving, rules, destinations);
    byPort(serving, GatewayServer::passthrough).forEach((port, list) -> {
      if (vsHosts.stream().anyMatch(h -> list.stream().anyMatch(s -> s.exposes(h, vsNamespace)))) {
        tls.computeIfAbsent(port, p -> new ArrayList<>()).addAll(compiled);
      }
    });
  }

  /** A VirtualService's {@code tls:} rules (SNI) as L4 routes, as {@link #compileTcp}. */
  static List<L4Route> compileTls(String name, String where, List<String> serving, List<TlsRoute> rules,
      Destinations destinations) {
    List<L4Route> compiled = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      TlsRoute rule = rules.get(i);
      String field = "spec.tls[" + i + "]";
      List<L4Route.Match> matches = new ArrayList<>();
      for (int m = 0; m < rule.match().size(); m++) {
        TlsMatchAttributes a = rule.match().get(m);
        if (a.gateways() != null && !a.gateways().isEmpty()
            && RouteCompiler.shortGateways(a.gateways()).stream().noneMatch(serving::contains)) {
          continue;
        }
        matches.add(match(where, field + ".match[" + m + "]", a.sniHosts(), a.port(), a.destinationSubnets(),
            a.sourceSubnet(), a.sourceLabels()));
      }
      if (matches.isEmpty()) {
        continue;
      }
      compiled.add(l4(name + ".tls[" + i + "]", where, field, matches, rule.route(), destinations));
    }
    return compiled;
  }

  private static L4Route.Match match(String where, String field, List<String> sni, Integer port, List<String> subnets,
      String source, Map<String, String> labels) {
    try {
      return new L4Route.Match(sni, port == null ? 0 : port, subnets, source, labels);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + field + ": " + e.getMessage(), e);
    }
  }

  private static L4Route l4(String name, String where, String field, List<L4Route.Match> matches,
      List<RouteDestination> route, Destinations destinations) {
    if (route == null || route.isEmpty()) {
      throw new IllegalArgumentException(where + ": " + field + ".route: at least one destination is required");
    }
    List<Destination> out = new ArrayList<>();
    int total = 0;
    for (int d = 0; d < route.size(); d++) {
      RouteDestination rd = route.get(d);
      int weight = route.size() == 1 && rd.weight() == null ? 100 : rd.weight() == null ? 0 : rd.weight();
      if (weight < 0) {
        throw new IllegalArgumentException(where + ": " + field + ".route[" + d + "].weight: must not be negative, was " + weight);
      }
      out.add(destinations.of(rd.destination(), weight, field + ".route[" + d + "].destination"));
      total += weight;
    }
    if (total == 0) {
      throw new IllegalArgumentException(where + ": " + field + ".route: the weights add up to 0");
    }
    return new L4Route(name, matches, out, total);
  }

  /** Whether a selected Gateway has an AUTO_PASSTHROUGH server (which needs {@link #sniClusters}). */
  boolean autoPassthrough() {
    return servers.values().stream().anyMatch(list -> list.stream().anyMatch(GatewayServer::autoPassthrough));
  }

  /** The destinations AUTO_PASSTHROUGH servers reach, by the SNI naming each. */
  void sniClusters(Map<String, Destination> byName) {
    sniClusters = Map.copyOf(byName);
  }

  /** Every port with a server of a selected Gateway, compiled. */
  Map<Integer, GatewayPort> ports(String version) {
    Map<Integer, List<GatewayServer>> all = new TreeMap<>();
    servers.values().forEach(list -> list.forEach(s -> all.computeIfAbsent(s.port(), p -> new ArrayList<>()).add(s)));
    Map<Integer, GatewayPort> out = new TreeMap<>();
    all.forEach((port, list) -> out.put(port, new GatewayPort(port, list,
        RouteTable.of(version, http.getOrDefault(port, List.of()), RouteTable.UnknownHosts.NOT_FOUND),
        tcp.getOrDefault(port, List.of()), tls.getOrDefault(port, List.of()),
        list.stream().anyMatch(GatewayServer::autoPassthrough) ? sniClusters : Map.of())));
    return Map.copyOf(out);
  }
}
