package io.mizzen.proxy.authz;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.Collection;

/**
 * Istio 1.4's {@code rbac.istio.io} authorization: ClusterRbacConfig (or RbacConfig) says where
 * RBAC is on; there, a request is allowed only when an ENFORCED ServiceRoleBinding of the target's
 * namespace gives its subject a ServiceRole rule that matches. ClusterRbacConfig's
 * {@code enforcement_mode: PERMISSIVE} and a binding's {@code mode: PERMISSIVE} only show in
 * {@link #shadow} (Mixer's {@code rbac.permissive.*}), never in {@link #decide}. Pure, thread-safe.
 */
public interface RbacEngine {

  /**
   * The engine over the rbac.istio.io resources among {@code resources}.
   *
   * @param clusterDomain the services' DNS suffix, {@code cluster.local}
   * @throws IllegalArgumentException listing every unusable resource by file, name and field path
   */
  static RbacEngine of(Collection<Resource> resources, String clusterDomain) {
    return RbacPolicies.compile(resources, clusterDomain);
  }

  /**
   * Whether RBAC is on for {@code workload} at all (ClusterRbacConfig mode, inclusion, exclusion),
   * so a proxy can skip per-request work where it is off.
   */
  boolean appliesTo(WorkloadInfo workload);

  /** Whether {@code request} to {@code workload} may proceed, as enforced. */
  Decision decide(WorkloadInfo workload, RequestView request);

  /**
   * What the outcome would be with every PERMISSIVE binding and a PERMISSIVE ClusterRbacConfig
   * enforced: for logging a policy before turning it on.
   */
  Decision shadow(WorkloadInfo workload, RequestView request);
}
