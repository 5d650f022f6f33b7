package io.mizzen.spi.config.security;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.Collection;
import java.util.List;

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

  /**
   * The mode for traffic to {@code port} of {@code workload}, which its service exposes at the
   * same number and without a name: STRICT, PERMISSIVE or DISABLE.
   */
  default PeerAuthentication.Mode mode(WorkloadInfo workload, int port) {
    return explain(workload, port).mode();
  }

  /**
   * As {@link #explain(WorkloadInfo, int, Collection)} for a port the workload's service exposes
   * at the same number and without a name.
   */
  default Effective explain(WorkloadInfo workload, int port) {
    return explain(workload, port, port < 1 || port > 65535 ? List.of() : List.of(new ServicePort("", port, port, "")));
  }

  /**
   * The mode for traffic to {@code workloadPort} of {@code workload}, and which resource decided
   * it (for {@code mizzen describe}). A PeerAuthentication's {@code portLevelMtls} is keyed by
   * the workload's port; a 1.4 Policy target's {@code ports} select the service's port, by number
   * or by name ("the port(s) exposed by the service, not workload instance ports", as Istio's
   * reference puts it), so the service ports that lead to {@code workloadPort} are given too.
   *
   * @param servicePorts the ports of the workload's service whose target is {@code workloadPort};
   *     empty when it is not known, and then a Policy target naming ports selects nothing
   */
  Effective explain(WorkloadInfo workload, int workloadPort, Collection<ServicePort> servicePorts);

  /**
   * A resolved mode.
   *
   * @param mode STRICT, PERMISSIVE or DISABLE (never UNSET)
   * @param source the deciding resource ({@code PeerAuthentication default/x, port 9080}) or
   *     {@code default} when nothing set it
   */
  record Effective(PeerAuthentication.Mode mode, String source) {}
}
