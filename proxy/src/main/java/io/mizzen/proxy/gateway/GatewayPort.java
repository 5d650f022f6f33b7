package io.mizzen.proxy.gateway;

import io.mizzen.proxy.route.Destination;
import io.mizzen.proxy.route.RouteTable;
import io.mizzen.proxy.tcp.L4Route;
import java.util.List;
import java.util.Map;

/**
 * One port an ingress or egress proxy listens on for its Gateways, compiled from one snapshot.
 *
 * @param number the Gateway server port (what {@code port:} matches see)
 * @param servers the servers of the selected Gateways on this port, in snapshot order
 * @param http the HTTP routes of the VirtualServices bound to those Gateways, restricted to the
 *     hosts the servers on this port expose
 * @param tcp the {@code tcp:} routes for this port (TCP servers and TLS servers terminated here)
 * @param tls the {@code tls:} routes for this port (PASSTHROUGH servers, by SNI)
 * @param sniClusters for AUTO_PASSTHROUGH servers on this port, the destination each SNI names
 *     ({@code outbound_.<port>_.<subset>_.<host>}, lower case); empty without such a server
 */
public record GatewayPort(int number, List<GatewayServer> servers, RouteTable http, List<L4Route> tcp, List<L4Route> tls,
    Map<String, Destination> sniClusters) {

  public GatewayPort {
    servers = List.copyOf(servers);
    tcp = List.copyOf(tcp);
    tls = List.copyOf(tls);
    sniClusters = Map.copyOf(sniClusters);
  }

  /** Whether connections on this port start with a TLS ClientHello. */
  public boolean tlsPort() {
    return servers.stream().anyMatch(GatewayServer::tlsPort);
  }

  /** Whether connections on this port are plain TCP, relayed by {@code tcp:} routes. */
  public boolean rawTcp() {
    return !tlsPort() && servers.stream().noneMatch(GatewayServer::http);
  }

  /**
   * The TLS server a ClientHello's SNI selects: an exact host first, then the longest wildcard,
   * then {@code *}; without SNI, the first server exposing {@code *}, else the first TLS server.
   *
   * @return the server, or {@code null} when none exposes that name
   */
  public GatewayServer server(String sni) {
    GatewayServer best = null;
    int bestScore = -1;
    for (GatewayServer s : servers) {
      if (!s.tlsPort()) {
        continue;
      }
      for (String h : s.hosts()) {
        int score;
        if (sni == null) {
          score = h.equals("*") ? 1 : -1;
        } else if (h.equalsIgnoreCase(sni)) {
          score = Integer.MAX_VALUE;
        } else if (h.equals("*")) {
          score = 0;
        } else if (h.startsWith("*") && HostMatch.matches(h, sni)) {
          score = h.length();
        } else {
          score = -1;
        }
        if (score > bestScore) {
          best = s;
          bestScore = score;
        }
      }
    }
    if (best == null && sni == null) {
      return servers.stream().filter(GatewayServer::tlsPort).findFirst().orElse(null);
    }
    return best;
  }
}
