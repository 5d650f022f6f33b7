package io.mizzen.spi.discovery;

/**
 * A named port of a service or workload.
 *
 * @param name the port name, such as {@code http}; Istio infers the protocol from its prefix
 * @param port the service port (1–65535)
 * @param targetPort the port the workload listens on (1–65535); equals {@code port} when unset
 * @param protocol HTTP, HTTP2, GRPC, HTTPS, TLS, TCP, or empty to infer from the name
 */
public record ServicePort(String name, int port, int targetPort, String protocol) {
  public ServicePort {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
    }
    if (targetPort == 0) {
      targetPort = port;
    }
    if (targetPort < 1 || targetPort > 65535) {
      throw new IllegalArgumentException("targetPort " + targetPort + " is out of range 1-65535");
    }
    name = name == null ? "" : name;
    protocol = protocol == null ? "" : protocol;
  }
}
