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
 * @param namespace the Gateway's namespace
 * @param hostNamespaces for each of {@code hosts}, the namespace whose VirtualServices may bind
 *     it, as Istio writes it before the {@code /}: {@code *} (any; also a host without one),
 *     {@code .} (the Gateway's) or a name
 */
public record GatewayServer(String gateway, String where, int port, String protocol, List<String> hosts,
    ServerTlsSettings tls, String namespace, List<String> hostNamespaces) {

  public GatewayServer {
    protocol = protocol == null ? "HTTP" : protocol.toUpperCase(Locale.ROOT);
    hosts = List.copyOf(hosts);
    hostNamespaces = List.copyOf(hostNamespaces);
    if (hostNamespaces.size() != hosts.size()) {
      throw new IllegalArgumentException(where + ": one namespace per host");
    }
  }

  /**
   * A server from Istio's {@code hosts} entries ({@code ns/host}, {@code ./host}, {@code * /host}
   * or a bare {@code host}).
   */
  public static GatewayServer of(String gateway, String namespace, String where, int port, String protocol,
      List<String> entries, ServerTlsSettings tls) {
    List<String> hosts = new java.util.ArrayList<>();
    List<String> namespaces = new java.util.ArrayList<>();
    for (String entry : entries) {
      int slash = entry.indexOf('/');
      hosts.add(slash < 0 ? entry : entry.substring(slash + 1));
      namespaces.add(slash < 0 ? "*" : entry.substring(0, slash));
    }
    return new GatewayServer(gateway, where, port, protocol, hosts, tls, namespace, namespaces);
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

  /**
   * Whether the SNI names the destination (AUTO_PASSTHROUGH): {@code outbound_.<port>_.<subset>_.<host>},
   * as Istio's sidecars send it through another network's gateway; no VirtualService is read.
   */
  public boolean autoPassthrough() {
    return tls != null && tls.mode() == ServerTlsSettings.Mode.AUTO_PASSTHROUGH;
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

  /**
   * Whether a VirtualService of namespace {@code vsNamespace} may bind {@code host} to this
   * server: a host entry exposing it whose namespace part admits that namespace.
   */
  public boolean exposes(String host, String vsNamespace) {
    for (int i = 0; i < hosts.size(); i++) {
      String ns = hostNamespaces.get(i);
      boolean admitted = ns.equals("*") || (ns.equals(".") ? namespace.equals(vsNamespace) : ns.equals(vsNamespace));
      if (admitted && HostMatch.matches(hosts.get(i), host)) {
        return true;
      }
    }
    return false;
  }
}
