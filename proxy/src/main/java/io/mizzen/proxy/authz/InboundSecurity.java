package io.mizzen.proxy.authz;

import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.spi.config.security.PeerAuthentication;
import io.mizzen.spi.config.security.PeerAuthenticationModes;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * What a sidecar's inbound enforces for the one workload it stands beside, recompiled from each
 * snapshot: the mutual-TLS mode its listener takes connections in (PeerAuthentication, MeshPolicy,
 * Policy), and, as a filter, RequestAuthentication (401 on a bad JWT) then AuthorizationPolicy or
 * the rbac.istio.io kinds (403 {@code RBAC: access denied}, as Envoy answers).
 *
 * <p>Everything that depends only on the workload is decided once per snapshot (which policies
 * select it, whether RBAC or JWT rules apply at all), so a request to a workload no policy names
 * costs one volatile read.
 */
public interface InboundSecurity {

  /**
   * Enforcement for {@code workload}, PERMISSIVE and allowing everything until the first snapshot.
   *
   * @param rootNamespace the mesh's root namespace ({@code istio-system}): its policies apply mesh-wide
   * @param clusterDomain the services' DNS suffix, {@code cluster.local} (rbac.istio.io service names)
   * @param clock for JWT expiry
   */
  static InboundSecurity of(Vertx vertx, WorkloadInfo workload, String rootNamespace, String clusterDomain, Clock clock) {
    return new InboundEnforcement(vertx, workload, rootNamespace, clusterDomain, clock);
  }

  /**
   * Compiles the security resources of {@code snapshot} for this workload, without putting them in
   * force, so a proxy can swap them in together with its routes.
   *
   * @return completes with the action that puts them in force once every JWKS is fetched; fails
   *     (the previous enforcement staying) naming each unusable resource by file, name and field
   */
  Future<Runnable> prepare(ProxySnapshot snapshot);

  /** The mutual-TLS mode a new inbound connection is held to now. */
  PeerAuthentication.Mode mode();

  /** Which resource decided {@link #mode}, for {@code mizzen describe}. */
  PeerAuthenticationModes.Effective explainMode();

  /**
   * Whether a connection the inbound relays as bytes (TCP) may reach the app, by the
   * AuthorizationPolicies selecting this workload as Istio holds TCP to them
   * ({@link AuthorizationEngine#decideConnection}). The rbac.istio.io kinds are not evaluated for
   * TCP: while they apply, every such connection is refused.
   */
  Decision authorizeConnection(RequestView connection);

  /** The authentication and authorization filter, acting on the inbound listener and a gateway's listeners. */
  ProxyFilter filter();
}
