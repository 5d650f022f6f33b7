package io.mizzen.proxy.tcp;

import io.mizzen.proxy.gateway.HostMatch;
import io.mizzen.proxy.route.Destination;
import java.util.List;
import java.util.Map;

/**
 * One compiled {@code tcp:} or {@code tls:} entry of a VirtualService: alternative matches,
 * then weighted destinations (clusters), chosen once per connection.
 *
 * @param name {@code <virtualservice>.<namespace>.tcp[i]}
 * @param matches the alternatives (ORed); empty matches every connection
 * @param destinations weighted destinations
 * @param totalWeight the sum of the weights
 */
public record L4Route(String name, List<Match> matches, List<Destination> destinations, int totalWeight) {

  public L4Route {
    matches = List.copyOf(matches);
    destinations = List.copyOf(destinations);
  }

  /**
   * One alternative: every field given must hold.
   *
   * @param sniHosts SNI names ({@code tls:} routes), wildcards allowed; empty for any
   * @param port the gateway server port, 0 for any
   * @param destinationSubnets CIDRs the connection's local (destination) address must be in
   * @param sourceSubnet a CIDR the client's address must be in, or {@code null}
   * @param sourceLabels labels this proxy's workload must carry
   */
  public record Match(List<String> sniHosts, int port, List<String> destinationSubnets, String sourceSubnet,
      Map<String, String> sourceLabels) {
    public Match {
      sniHosts = sniHosts == null ? List.of() : List.copyOf(sniHosts);
      destinationSubnets = destinationSubnets == null ? List.of() : List.copyOf(destinationSubnets);
      sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
      for (String s : destinationSubnets) {
        io.mizzen.proxy.authz.IpBlocks.validate(s);
      }
      if (sourceSubnet != null) {
        io.mizzen.proxy.authz.IpBlocks.validate(sourceSubnet);
      }
    }

    boolean accepts(Connection c) {
      if (port != 0 && port != c.port()) {
        return false;
      }
      if (!sniHosts.isEmpty() && sniHosts.stream().noneMatch(h -> HostMatch.matches(h, c.sni() == null ? "" : c.sni()))) {
        return false;
      }
      if (!destinationSubnets.isEmpty() && destinationSubnets.stream().noneMatch(s -> io.mizzen.proxy.authz.IpBlocks.contains(s, c.localIp()))) {
        return false;
      }
      if (sourceSubnet != null && !io.mizzen.proxy.authz.IpBlocks.contains(sourceSubnet, c.sourceIp())) {
        return false;
      }
      return c.labels().entrySet().containsAll(sourceLabels.entrySet());
    }
  }

  /**
   * What a TCP route is matched against.
   *
   * @param port the gateway server port the connection came in on
   * @param sni the ClientHello's server name, or {@code null}
   * @param localIp the address the client connected to
   * @param sourceIp the client's address
   * @param labels this proxy's workload labels
   */
  public record Connection(int port, String sni, String localIp, String sourceIp, Map<String, String> labels) {}

  /** Whether any match (or none given) accepts the connection. */
  public boolean accepts(Connection c) {
    return matches.isEmpty() || matches.stream().anyMatch(m -> m.accepts(c));
  }

  /** A destination drawn by weight (the only one when there is one). */
  public Destination choose() {
    return destinations.size() == 1 ? destinations.get(0)
        : pick(java.util.concurrent.ThreadLocalRandom.current().nextInt(Math.max(1, totalWeight)));
  }

  /** A destination by weight; {@code roll} is in [0, totalWeight). */
  public Destination pick(int roll) {
    int acc = 0;
    for (Destination d : destinations) {
      acc += d.weight();
      if (roll < acc) {
        return d;
      }
    }
    return destinations.get(destinations.size() - 1);
  }

  /** The first route accepting the connection, or {@code null}. */
  public static L4Route first(List<L4Route> routes, Connection c) {
    for (L4Route r : routes) {
      if (r.accepts(c)) {
        return r;
      }
    }
    return null;
  }
}
