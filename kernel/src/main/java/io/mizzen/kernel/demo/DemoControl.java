package io.mizzen.kernel.demo;

/**
 * What the tour needs of a running demo mesh. Blocking calls, made from the demo command's own
 * thread (never an event loop).
 */
interface DemoControl {

  /** The ingress gateway's base URL, such as {@code http://127.0.0.1:8080}. */
  String ingressUrl();

  /**
   * Applies one of the bundled Istio sample files through the control plane's store, as
   * {@code mizzen apply -f} would.
   *
   * @param sample a path under the bundled samples, such as
   *     {@code networking/virtual-service-reviews-test-v2.yaml}
   * @throws Exception when the store refuses it (the message lists every error)
   */
  void apply(String sample) throws Exception;

  /** Deletes what a bundled sample file created. */
  void delete(String sample) throws Exception;

  /** The Prometheus text a workload's sidecar exposes, or an explanation of why there is none. */
  String sidecarMetrics(String workload) throws Exception;

  /** One line on how sidecars talk to each other now (mTLS and the peer identities seen). */
  String mtlsSummary() throws Exception;
}
