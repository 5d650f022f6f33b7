package io.mizzen.spi.config.security;

import java.util.List;

/**
 * {@code rbac.istio.io} ClusterRbacConfig (and the older RbacConfig): where RBAC is on.
 *
 * @param mode OFF when unset
 * @param inclusion where it is on, with ON_WITH_INCLUSION
 * @param exclusion where it is off, with ON_WITH_EXCLUSION
 * @param enforcementMode ENFORCED when unset
 */
public record RbacConfig(Mode mode, Target inclusion, Target exclusion, EnforcementMode enforcementMode) {

  /** RBAC modes. */
  public enum Mode { OFF, ON, ON_WITH_INCLUSION, ON_WITH_EXCLUSION }

  /** @param services service FQDNs @param namespaces namespaces */
  public record Target(List<String> services, List<String> namespaces) {}
}
