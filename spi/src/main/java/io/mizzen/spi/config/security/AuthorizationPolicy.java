package io.mizzen.spi.config.security;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Set;

/**
 * {@code security.istio.io} AuthorizationPolicy: who may do what to the selected workloads.
 *
 * @param selector the workloads it applies to
 * @param rules a request matching any rule is ALLOWed (or DENYed); no rules with ALLOW denies all
 * @param action ALLOW when unset
 */
public record AuthorizationPolicy(WorkloadSelector selector, List<Rule> rules, Action action) {
  /** The {@code when} keys taken as they are; {@code request.headers[NAME]} and {@code request.auth.claims[NAME]} also. */
  public static final Set<String> PLAIN_KEYS = Set.of("source.ip", "source.namespace", "source.principal",
      "request.auth.principal", "request.auth.audiences", "request.auth.presenter", "destination.port");

  /**
   * Why Mizzen cannot enforce {@code action}, or {@code null}: CUSTOM needs an external
   * authorizer. One message for {@code mizzen validate} and the proxy, so both refuse alike.
   */
  public static String actionProblem(Action action) {
    return action == Action.CUSTOM ? "CUSTOM (an external authorizer) is not supported; use ALLOW, DENY or AUDIT" : null;
  }

  /** Why Mizzen cannot evaluate a {@code when} key, or {@code null}; as {@link #actionProblem}. */
  public static String whenKeyProblem(String key) {
    if (PLAIN_KEYS.contains(key) || bracketed(key, "request.headers") != null
        || bracketed(key, "request.auth.claims") != null) {
      return null;
    }
    return "'" + key + "' is not a supported attribute (" + String.join(", ", new java.util.TreeSet<>(PLAIN_KEYS))
        + ", request.headers[NAME], request.auth.claims[NAME])";
  }

  /** The {@code NAME} of {@code prefix[NAME]}, or {@code null} when {@code key} is not of that form. */
  public static String bracketed(String key, String prefix) {
    if (key != null && key.length() > prefix.length() + 2 && key.startsWith(prefix) && key.charAt(prefix.length()) == '['
        && key.endsWith("]")) {
      return key.substring(prefix.length() + 1, key.length() - 1);
    }
    return null;
  }

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
