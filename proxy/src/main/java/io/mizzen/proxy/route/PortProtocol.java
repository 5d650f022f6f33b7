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

  /** The port's protocol, lower case: the one discovery gives, else the name's prefix before the first {@code -}. */
  private static String protocol(ServicePort port) {
    String protocol = port.protocol().toLowerCase(Locale.ROOT);
    if (protocol.isEmpty()) {
      String name = port.name().toLowerCase(Locale.ROOT);
      int dash = name.indexOf('-');
      protocol = dash < 0 ? name : name.substring(0, dash);
    }
    return protocol;
  }

  /**
   * What the sidecar inbound takes a connection to this port as, as Istio 1.4 picks a port's
   * protocol: {@code "http"} for HTTP ({@code http}, {@code http2}, {@code grpc}, {@code grpc-web}),
   * {@code "tcp"} for a protocol Istio relays as bytes ({@code tcp}, {@code tls}, {@code https},
   * {@code mongo}, {@code mysql}, {@code redis}), {@code null} when neither protocol nor name says
   * (the inbound then tells by the first bytes).
   */
  static String inbound(ServicePort port) {
    return switch (protocol(port)) {
      case "http", "http2", "grpc", "grpc-web" -> "http";
      case "tcp", "tls", "https", "mongo", "mysql", "redis" -> "tcp";
      default -> null;
    };
  }

  /** Whether the port speaks HTTP/2 ({@code GRPC}, {@code HTTP2}, or a name {@code grpc[-*]}, {@code http2[-*]}). */
  static boolean http2(ServicePort port) {
    if (port == null) {
      return false;
    }
    String name = port.name().toLowerCase(Locale.ROOT);
    if (port.protocol().isEmpty() && (name.equals("grpc-web") || name.startsWith("grpc-web-"))) {
      return false;
    }
    String protocol = protocol(port);
    return protocol.equals("grpc") || protocol.equals("http2");
  }

}
