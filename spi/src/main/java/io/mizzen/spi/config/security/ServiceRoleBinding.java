package io.mizzen.spi.config.security;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Map;

/**
 * {@code rbac.istio.io} ServiceRoleBinding: who holds a ServiceRole.
 *
 * @param subjects who
 * @param roleRef the role, by kind and name
 * @param role the role by name (later form of {@code roleRef})
 * @param actions inline permissions (later form)
 * @param mode ENFORCED when unset; PERMISSIVE only logs
 */
public record ServiceRoleBinding(
    @Required List<Subject> subjects, RoleRef roleRef, String role, List<ServiceRole.AccessRule> actions,
    EnforcementMode mode) {

  /** A subject; every set field must match. */
  public record Subject(
      String user, String group, Map<String, String> properties,
      List<String> names, List<String> notNames,
      List<String> groups, List<String> notGroups,
      List<String> namespaces, List<String> notNamespaces,
      List<String> ips, List<String> notIps) {}

  /** @param kind always {@code ServiceRole} @param name the role's name */
  public record RoleRef(@Required String kind, @Required String name) {}
}
