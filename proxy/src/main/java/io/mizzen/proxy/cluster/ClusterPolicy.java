package io.mizzen.proxy.cluster;

import java.util.List;
import java.time.Duration;

/**
 * A cluster's traffic policy, resolved from a DestinationRule (with subset and port overrides
 * already applied) or Istio's defaults.
 *
 * @param loadBalancing how endpoints are picked
 * @param connectTimeout {@code tcp.connectTimeout}
 * @param idleTimeout {@code http.idleTimeout}: pooled upstream connections idle this long are closed
 * @param maxConnections {@code tcp.maxConnections}
 * @param maxPendingRequests {@code http.http1MaxPendingRequests}
 * @param maxRequests {@code http.http2MaxRequests}: concurrent requests to the cluster
 * @param maxRequestsPerConnection {@code http.maxRequestsPerConnection}, 0 for unlimited
 * @param maxRetries {@code http.maxRetries}: concurrent retries to the cluster
 * @param outlier outlier detection, or {@code null} when off
 * @param istioMutual {@code tls.mode: ISTIO_MUTUAL}: connections carry the workload certificate
 *     (when the proxy has one) and expect the endpoint's SPIFFE identity
 * @param subjectAltNames {@code tls.subjectAltNames}: the identities to expect instead of the
 *     endpoint's own; empty for the endpoint's
 * @param istioMutualSni {@code tls.sni} with ISTIO_MUTUAL: the name the connection's handshake
 *     sends (an egress gateway picks its server by it); {@code null} for none
 * @param originate {@code tls.mode: SIMPLE} or {@code MUTUAL}: the proxy originates TLS to the
 *     endpoints with these settings; {@code null} for plain text (or ISTIO_MUTUAL)
 */
public record ClusterPolicy(
    LoadBalancing loadBalancing,
    Duration connectTimeout,
    Duration idleTimeout,
    int maxConnections,
    int maxPendingRequests,
    int maxRequests,
    int maxRequestsPerConnection,
    int maxRetries,
    OutlierPolicy outlier,
    boolean istioMutual,
    List<String> subjectAltNames,
    String istioMutualSni,
    io.mizzen.proxy.tls.UpstreamTls originate) {

  /** Envoy's and Istio's defaults: generous limits, no outlier detection. */
  public static final ClusterPolicy DEFAULT = new ClusterPolicy(
      LoadBalancing.DEFAULT, Duration.ofSeconds(10), Duration.ofSeconds(30),
      Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, Integer.MAX_VALUE, null, false, List.of(), null, null);

  public ClusterPolicy {
    loadBalancing = loadBalancing == null ? LoadBalancing.DEFAULT : loadBalancing;
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
    subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
  }

  /** A plain-text cluster's policy (no {@code tls} section). */
  public ClusterPolicy(LoadBalancing loadBalancing, Duration connectTimeout, Duration idleTimeout, int maxConnections,
      int maxPendingRequests, int maxRequests, int maxRequestsPerConnection, int maxRetries, OutlierPolicy outlier) {
    this(loadBalancing, connectTimeout, idleTimeout, maxConnections, maxPendingRequests, maxRequests,
        maxRequestsPerConnection, maxRetries, outlier, false, List.of(), null, null);
  }

  /** How many requests may be in flight (active plus pending) before the cluster answers 503 UO. */
  public long requestLimit() {
    long http1 = (long) maxConnections + (long) maxPendingRequests;
    return Math.min(http1, maxRequests);
  }
}
