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
  public record Target(List<String> services, List<String> namespaces) {

    /** Whether the target names the namespace or the service FQDN. */
    boolean names(String namespace, String fqdn) {
      return (namespaces != null && namespaces.contains(namespace)) || (services != null && services.contains(fqdn));
    }
  }

  /** Whether RBAC is on for the service {@code fqdn} of {@code namespace} under this config. */
  public boolean includes(String namespace, String fqdn) {
    return switch (mode == null ? Mode.OFF : mode) {
      case OFF -> false;
      case ON -> true;
      case ON_WITH_INCLUSION -> inclusion != null && inclusion.names(namespace, fqdn);
      case ON_WITH_EXCLUSION -> exclusion == null || !exclusion.names(namespace, fqdn);
    };
  }
}
