package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Map;

/**
 * Istio's Sidecar spec: narrows what a sidecar listens for and which services it sees.
 *
 * @param workloadSelector the workloads it applies to; none means the whole namespace
 * @param ingress inbound listeners
 * @param egress outbound listeners and the hosts each may reach
 * @param outboundTrafficPolicy whether unknown destinations are allowed
 */
public record Sidecar(
    WorkloadSelector workloadSelector,
    List<IngressListener> ingress,
    List<EgressListener> egress,
    OutboundTrafficPolicy outboundTrafficPolicy) {

  /** @param labels labels the selected workloads carry */
  public record WorkloadSelector(Map<String, String> labels) {}

  /** How traffic reaches a listener. */
  public enum CaptureMode { DEFAULT, IPTABLES, NONE }

  /**
   * @param port the port to listen on
   * @param bind the address to bind
   * @param captureMode how traffic is captured
   * @param defaultEndpoint where to forward, such as {@code 127.0.0.1:8080}
   */
  public record IngressListener(
      @Required Port port, String bind, CaptureMode captureMode, @Required String defaultEndpoint) {}

  /**
   * @param port the port, or {@code null} for all
   * @param bind the address to bind
   * @param captureMode how traffic is captured
   * @param hosts {@code namespace/host} entries this listener reaches
   */
  public record EgressListener(Port port, String bind, CaptureMode captureMode, @Required List<String> hosts) {}

  /** @param mode REGISTRY_ONLY or ALLOW_ANY */
  public record OutboundTrafficPolicy(Mode mode) {
    /** Outbound modes. */
    public enum Mode { REGISTRY_ONLY, ALLOW_ANY }
  }
}
