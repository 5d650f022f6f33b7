package io.mizzen.proxy.gateway;

import io.mizzen.spi.config.networking.ServerTlsSettings;
import java.util.List;
import java.util.Locale;

/**
 * One server of a Gateway, as a listener serves it.
 *
 * @param gateway the Gateway's name
 * @param where the Gateway and the server's index, for messages ({@code Gateway ns/name servers[0]})
 * @param port the server's port number
 * @param protocol the port's protocol, upper case ({@code HTTP}, {@code HTTPS}, {@code TCP}, {@code TLS}, ...)
 * @param hosts the hosts it exposes, the {@code namespace/} part removed
 * @param tls its TLS settings, or {@code null}
 */
public record GatewayServer(String gateway, String where, int port, String protocol, List<String> hosts,
    ServerTlsSettings tls) {

  public GatewayServer {
    protocol = protocol == null ? "HTTP" : protocol.toUpperCase(Locale.ROOT);
    hosts = List.copyOf(hosts);
  }

  /** Whether connections are TLS (terminated here or passed through). */
  public boolean tlsPort() {
    return (tls != null && tls.mode() != null) || protocol.equals("HTTPS") || protocol.equals("TLS");
  }

  /** Whether TLS passes through to the destination, routed by SNI. */
  public boolean passthrough() {
    return tls != null && (tls.mode() == ServerTlsSettings.Mode.PASSTHROUGH
        || tls.mode() == ServerTlsSettings.Mode.AUTO_PASSTHROUGH);
  }

  /** Whether the proxy terminates TLS for this server (SIMPLE or MUTUAL). */
  public boolean terminates() {
    return tls != null && (tls.mode() == ServerTlsSettings.Mode.SIMPLE || tls.mode() == ServerTlsSettings.Mode.MUTUAL);
  }

  /**
   * Whether the proxy terminates the mesh's mutual TLS for this server (ISTIO_MUTUAL: its own
   * workload certificate, clients proving a mesh identity), as an egress gateway does for sidecars.
   */
  public boolean istioMutual() {
    return tls != null && tls.mode() == ServerTlsSettings.Mode.ISTIO_MUTUAL;
  }

  /** Whether plain HTTP requests are answered with a 301 to https. */
  public boolean httpsRedirect() {
    return tls != null && Boolean.TRUE.equals(tls.httpsRedirect()) && !tlsPort();
  }

  /** Whether what follows the handshake (or the connection) is HTTP rather than raw TCP. */
  public boolean http() {
    return !protocol.equals("TCP") && !protocol.equals("TLS") && !protocol.equals("MONGO");
  }

  /** Whether the server exposes a host: {@code *}, exact, or a {@code *.suffix} wildcard. */
  public boolean exposes(String host) {
    for (String allowed : hosts) {
      if (HostMatch.matches(allowed, host)) {
        return true;
      }
    }
    return false;
  }
}
