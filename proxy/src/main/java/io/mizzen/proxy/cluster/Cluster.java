package io.mizzen.proxy.cluster;

import java.util.List;

/**
 * An upstream cluster, such as {@code outbound|9080|v1|reviews.default.svc.cluster.local}: its
 * endpoints, the policy resolved for it, and the live counters circuit breaking needs. Safe to
 * use from every event loop at once.
 */
public interface Cluster {

  /** The name of the cluster that sends traffic to no known host where it was addressed (ALLOW_ANY), as Envoy's. */
  String PASSTHROUGH = "PassthroughCluster";

  /** The {@link #PASSTHROUGH} cluster of one request or connection: its one endpoint is where it was addressed. */
  static Cluster passthrough(Endpoint addressed) {
    return of(PASSTHROUGH, ClusterPolicy.DEFAULT, List.of(addressed));
  }

  /** A cluster of the given endpoints under a policy. */
  static Cluster of(String name, ClusterPolicy policy, List<Endpoint> endpoints) {
    return new EndpointCluster(name, policy, endpoints, false);
  }

  /**
   * A cluster whose endpoints speak HTTP/2 in clear text (prior knowledge) when {@code http2}:
   * a service port of protocol {@code grpc}/{@code http2}, or {@code h2UpgradePolicy: UPGRADE}.
   */
  static Cluster of(String name, ClusterPolicy policy, List<Endpoint> endpoints, boolean http2) {
    return new EndpointCluster(name, policy, endpoints, http2);
  }

  /** Envoy-style name, used in the access log. */
  String name();

  ClusterPolicy policy();

  /** Whether requests go to the endpoints as HTTP/2 streams (h2c), not HTTP/1.1. */
  default boolean http2() {
    return false;
  }

  List<Endpoint> endpoints();

  /**
   * Picks a healthy endpoint, avoiding the ones already tried by this request when others exist.
   *
   * @return the endpoint, or {@code null} when the cluster has none healthy (503 UH)
   */
  Endpoint pick(RequestKeys request, List<Endpoint> tried);

  /**
   * Takes one request slot under the cluster's limits.
   *
   * @return {@code null} when admitted, else the reason it overflowed (503 UO)
   */
  String admitRequest();

  /** Gives back a slot taken by {@link #admitRequest()}. */
  void releaseRequest();

  /** Takes one retry slot ({@code maxRetries}); false when the retry budget is exhausted. */
  boolean admitRetry();

  /** Gives back a slot taken by {@link #admitRetry()}. */
  void releaseRetry();

  /** Records an upstream answer for outlier detection. */
  void recordStatus(Endpoint endpoint, int status);

  /** Records a connect failure, reset or timeout (a gateway error) for outlier detection. */
  void recordFailure(Endpoint endpoint);
}
