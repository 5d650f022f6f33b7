package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Istio's second validation step ({@code istioctl analyze}): resources against each other and
 * against what is applied and discovered. A subset referenced but defined by no DestinationRule,
 * a gateway that does not exist, VirtualServices that claim one host on one gateway, a host
 * that resolves to no Service, ServiceEntry or registered workload, a ServiceRoleBinding to no
 * ServiceRole, two Sidecars for a whole namespace (errors); two DestinationRules for one host, a
 * VirtualService whose gateway serves none of its hosts (warnings). Assumes each resource passed {@link ConfigValidator} (invalid ones are ignored).
 */
public interface MeshAnalyzer {

  /** The cluster DNS suffix short host names are completed with. */
  String DOMAIN_SUFFIX = "svc.cluster.local";

  /**
   * An analyzer. It remembers the typed view of each resource instance it has seen (until that
   * resource leaves the view), so keep one per store; it is safe for one caller at a time.
   */
  static MeshAnalyzer create() {
    return new CrossResourceAnalyzer(true);
  }

  /**
   * An analyzer for the store: a destination host that resolves to nothing is a warning, not an
   * error. Discovery is eventually consistent (at boot no registry has reported yet), and
   * refusing routes for it would drop good config for good; {@code mizzen analyze} stays strict.
   */
  static MeshAnalyzer tolerantOfDiscovery() {
    return new CrossResourceAnalyzer(false);
  }

  /**
   * The problems of {@code subject}, seen together with {@code applied}. A subject resource
   * replaces an applied one of the same key.
   *
   * @param subject the resources being checked (given files, or a batch being applied)
   * @param applied what is already in force
   * @param discoveredHosts fully qualified host names the service registries know
   * @return errors and warnings about subject resources only
   */
  List<ConfigProblem> analyze(List<Resource> subject, Collection<Resource> applied, Set<String> discoveredHosts);

  /**
   * The fully qualified form of {@code host} as read in {@code namespace}: {@code reviews} becomes
   * {@code reviews.<namespace>.svc.cluster.local}, {@code reviews.prod} becomes
   * {@code reviews.prod.svc.cluster.local}; other names are kept.
   */
  static String fqdn(String host, String namespace) {
    if (host.equals("*") || host.startsWith("*.")) {
      return host;
    }
    int dots = (int) host.chars().filter(c -> c == '.').count();
    if (dots == 0) {
      return host + "." + namespace + "." + DOMAIN_SUFFIX;
    }
    if (dots == 1) {
      return host + "." + DOMAIN_SUFFIX;
    }
    return host;
  }
}
