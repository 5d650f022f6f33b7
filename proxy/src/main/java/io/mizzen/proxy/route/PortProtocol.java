package io.mizzen.proxy.route;

import io.mizzen.spi.discovery.ServicePort;
import java.util.Locale;

/**
 * Istio's protocol selection for a service port, as far as the upstream connection cares: the
 * port's protocol when discovery gives one ({@code appProtocol} on Kubernetes), else the name's
 * prefix before the first {@code -}. {@code grpc-web} is gRPC-Web, carried over HTTP/1.1.
 */
final class PortProtocol {
  private PortProtocol() {}

  /** Whether the port speaks HTTP/2 ({@code GRPC}, {@code HTTP2}, or a name {@code grpc[-*]}, {@code http2[-*]}). */
  static boolean http2(ServicePort port) {
    if (port == null) {
      return false;
    }
    String protocol = port.protocol().toLowerCase(Locale.ROOT);
    if (protocol.isEmpty()) {
      String name = port.name().toLowerCase(Locale.ROOT);
      if (name.equals("grpc-web") || name.startsWith("grpc-web-")) {
        return false;
      }
      int dash = name.indexOf('-');
      protocol = dash < 0 ? name : name.substring(0, dash);
    }
    return protocol.equals("grpc") || protocol.equals("http2");
  }
}
