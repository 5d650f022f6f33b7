package io.mizzen.spi.config.security;

import java.util.Map;

/**
 * {@code security.istio.io} PeerAuthentication: which mutual-TLS mode inbound traffic needs.
 *
 * @param selector the workloads it applies to
 * @param mtls the mode for all ports
 * @param portLevelMtls overrides per port number (map keys are port numbers)
 */
public record PeerAuthentication(WorkloadSelector selector, MutualTls mtls, Map<String, MutualTls> portLevelMtls) {

  /** @param mode the mode; UNSET inherits from the parent scope */
  public record MutualTls(Mode mode) {}

  /** mTLS modes. */
  public enum Mode { UNSET, DISABLE, PERMISSIVE, STRICT }
}
