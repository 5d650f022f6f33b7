package io.mizzen.spi.config.security;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.Collection;

/**
 * Which mutual-TLS mode a workload's inbound port requires, resolved from PeerAuthentication
 * (security.istio.io) and Istio 1.4's MeshPolicy / Policy (authentication.istio.io): port level
 * over workload (a selector, or a Policy target naming the service) over namespace over mesh
 * (the root namespace, or MeshPolicy); an UNSET mode inherits from the level above; PERMISSIVE
 * when nothing says. At the same level, PeerAuthentication wins over the 1.4 kinds. Pure.
 */
public interface PeerAuthenticationModes {

  /**
   * The resolver over the authentication resources among {@code resources}.
   *
   * @throws IllegalArgumentException listing every unusable resource by file, name and field path
   */
  static PeerAuthenticationModes of(Collection<Resource> resources, String rootNamespace) {
    return MtlsResolution.compile(resources, rootNamespace);
  }

  /** The mode for traffic to {@code port} of {@code workload}: STRICT, PERMISSIVE or DISABLE. */
  default PeerAuthentication.Mode mode(WorkloadInfo workload, int port) {
    return explain(workload, port).mode();
  }

  /** The mode and which resource decided it, for {@code mizzen describe}. */
  Effective explain(WorkloadInfo workload, int port);

  /**
   * A resolved mode.
   *
   * @param mode STRICT, PERMISSIVE or DISABLE (never UNSET)
   * @param source the deciding resource ({@code PeerAuthentication default/x, port 9080}) or
   *     {@code default} when nothing set it
   */
  record Effective(PeerAuthentication.Mode mode, String source) {}
}
