package io.mizzen.spi.config.security;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * {@code security.istio.io} AuthorizationPolicy: who may do what to the selected workloads.
 *
 * @param selector the workloads it applies to
 * @param rules a request matching any rule is ALLOWed (or DENYed); no rules with ALLOW denies all
 * @param action ALLOW when unset
 */
public record AuthorizationPolicy(WorkloadSelector selector, List<Rule> rules, Action action) {

  /** Policy actions. */
  public enum Action { ALLOW, DENY, AUDIT, CUSTOM }

  /**
   * @param from sources, any of which may match
   * @param to operations, any of which may match
   * @param when conditions, all of which must hold
   */
  public record Rule(List<From> from, List<To> to, List<Condition> when) {}

  /** @param source the source */
  public record From(@Required Source source) {}

  /** @param operation the operation */
  public record To(@Required Operation operation) {}

  /** Request sources; every set field must match. */
  public record Source(
      List<String> principals, List<String> notPrincipals,
      List<String> requestPrincipals, List<String> notRequestPrincipals,
      List<String> namespaces, List<String> notNamespaces,
      List<String> ipBlocks, List<String> notIpBlocks) {}

  /** Request operations; every set field must match. */
  public record Operation(
      List<String> hosts, List<String> notHosts,
      List<String> ports, List<String> notPorts,
      List<String> methods, List<String> notMethods,
      List<String> paths, List<String> notPaths) {}

  /**
   * @param key an attribute such as {@code request.headers[version]}
   * @param values allowed values
   * @param notValues refused values
   */
  public record Condition(@Required String key, List<String> values, List<String> notValues) {}
}
