package io.mizzen.spi.config.security;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * {@code rbac.istio.io} ServiceRole: a set of permissions.
 *
 * @param rules the permissions; a request matching any is allowed
 */
public record ServiceRole(@Required List<AccessRule> rules) {

  /** A permission; every set field must match. */
  public record AccessRule(
      List<String> services, List<String> notServices,
      List<String> hosts, List<String> notHosts,
      List<String> paths, List<String> notPaths,
      List<String> methods, List<String> notMethods,
      List<Integer> ports, List<Integer> notPorts,
      List<Constraint> constraints) {}

  /** @param key an attribute such as {@code destination.labels[app]} @param values allowed values */
  public record Constraint(@Required String key, List<String> values) {}
}
