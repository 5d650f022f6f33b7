package io.mizzen.proxy.engine;

import io.mizzen.proxy.cluster.Endpoint;

/** Where a client meant to go, for the clusters that send traffic there rather than to endpoints of their own. */
final class OriginalDestination {
  private OriginalDestination() {}

  /** Where iptables says the client's connection was going, or null when it was not captured. */
  static Endpoint captured(Exchange ex) {
    java.net.InetSocketAddress captured = io.mizzen.proxy.capture.CaptureHandler.originalDestination(ex.client);
    return captured == null ? null
        : Endpoint.of(captured.getAddress().getHostAddress(), captured.getPort(), java.util.Map.of());
  }

  /**
   * PASSTHROUGH: the address the client dialled, as Envoy's original-destination cluster: from the
   * capture table when iptables redirected the connection, else the Host header's host and port.
   */
  static Endpoint of(Exchange ex) {
    Endpoint captured = captured(ex);
    if (captured != null) {
      return captured;
    }
    String authority = ex.ctx.authority();
    String host = ex.ctx.host();
    int port = 80;
    if (authority.length() > host.length() + 1) {
      try {
        port = Integer.parseInt(authority.substring(host.length() + 1));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return host.isEmpty() ? null : Endpoint.of(host, port, java.util.Map.of());
  }
}
