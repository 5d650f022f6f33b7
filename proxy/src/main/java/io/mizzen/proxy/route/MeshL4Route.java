package io.mizzen.proxy.route;

import io.mizzen.proxy.tcp.L4Route;
import java.util.Set;

/**
 * A mesh VirtualService's {@code tcp:} or {@code tls:} rule for a sidecar: it applies to captured
 * connections on the ports of the services its hosts name (any port when they name none the
 * registry knows), and then as its matches say (port, destination subnets, SNI, source).
 *
 * @param ports the ports of the VirtualService's hosts' services; empty for any
 * @param route the compiled rule
 */
public record MeshL4Route(Set<Integer> ports, L4Route route) {
  public MeshL4Route {
    ports = Set.copyOf(ports);
  }

  /** Whether the rule takes {@code connection}. */
  public boolean accepts(L4Route.Connection connection) {
    return (ports.isEmpty() || ports.contains(connection.port())) && route.accepts(connection);
  }
}
