package io.mizzen.spi.config.networking;

import java.util.List;

/**
 * Policies for traffic to a destination (or a subset, or a port).
 *
 * @param loadBalancer endpoint selection
 * @param connectionPool pool limits
 * @param outlierDetection outlier ejection
 * @param tls client TLS
 * @param portLevelSettings overrides per port; these win over the fields above
 */
public record TrafficPolicy(
    LoadBalancerSettings loadBalancer,
    ConnectionPoolSettings connectionPool,
    OutlierDetection outlierDetection,
    ClientTlsSettings tls,
    List<PortTrafficPolicy> portLevelSettings) {

  /**
   * The policy of one port.
   *
   * @param port the port
   * @param loadBalancer endpoint selection
   * @param connectionPool pool limits
   * @param outlierDetection outlier ejection
   * @param tls client TLS
   */
  public record PortTrafficPolicy(
      PortSelector port,
      LoadBalancerSettings loadBalancer,
      ConnectionPoolSettings connectionPool,
      OutlierDetection outlierDetection,
      ClientTlsSettings tls) {}
}
