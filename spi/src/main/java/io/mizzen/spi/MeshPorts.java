package io.mizzen.spi;

/**
 * The listening ports of a Mizzen process; Istio's numbers where Istio has one. 0 picks a free
 * port (tests).
 *
 * @param admin the admin server: {@code /healthz/ready}, {@code /plugins} (15000)
 * @param outbound the sidecar's outbound listener (15001)
 * @param inbound the sidecar's inbound listener (15006)
 * @param health the proxy's health endpoint (15021)
 * @param prometheus the proxy's Prometheus endpoint (15090)
 * @param grpc the control plane's plaintext gRPC: config push, CA (15010)
 * @param grpcTls the control plane's TLS gRPC (15012)
 * @param mixer Mixer's gRPC server (9091)
 * @param monitoring the control plane's own metrics (15014)
 * @param webhook the control plane's sidecar-injection admission webhook, HTTPS (15017)
 */
public record MeshPorts(
    int admin, int outbound, int inbound, int health, int prometheus, int grpc, int grpcTls,
    int mixer, int monitoring, int webhook) {

  public MeshPorts {
    for (int p : new int[] {admin, outbound, inbound, health, prometheus, grpc, grpcTls, mixer, monitoring, webhook}) {
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("port " + p + " is out of range 0-65535");
      }
    }
  }

  /**
   * The ports of SPI 1.0 (before the webhook had one): the webhook gets Istio's 15017, or 0 when
   * every other port is 0 (a test picking free ports).
   */
  public MeshPorts(
      int admin, int outbound, int inbound, int health, int prometheus, int grpc, int grpcTls,
      int mixer, int monitoring) {
    this(admin, outbound, inbound, health, prometheus, grpc, grpcTls, mixer, monitoring,
        (admin | outbound | inbound | health | prometheus | grpc | grpcTls | mixer | monitoring) == 0 ? 0 : 15017);
  }

  /** Istio's ports. */
  public static MeshPorts defaults() {
    return new MeshPorts(15000, 15001, 15006, 15021, 15090, 15010, 15012, 9091, 15014, 15017);
  }

  /** Every port 0: each listener picks a free port. */
  public static MeshPorts ephemeral() {
    return new MeshPorts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** A copy with another admin port. */
  public MeshPorts withAdmin(int port) {
    return new MeshPorts(port, outbound, inbound, health, prometheus, grpc, grpcTls, mixer, monitoring, webhook);
  }
}
