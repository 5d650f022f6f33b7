package io.mizzen.proxy.authz;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.Collection;
import java.util.List;

/**
 * Istio's AuthorizationPolicy evaluation for the workloads a proxy serves: a DENY policy that
 * matches denies; otherwise, when any ALLOW policy selects the workload, a request is allowed only
 * if one of them matches; a workload no ALLOW policy selects allows everything not denied.
 * Policies in the root namespace apply to every workload; others to the workloads of their
 * namespace their selector picks. AUDIT policies do not change the outcome. Pure and thread-safe.
 */
public interface AuthorizationEngine {

  /**
   * The engine over the {@code security.istio.io} AuthorizationPolicy resources among
   * {@code resources} (other kinds are ignored).
   *
   * @throws IllegalArgumentException listing every unusable policy by file, name and field path
   *     (a bad ipBlock, an unknown {@code when} key, a CUSTOM action, a spec that does not bind)
   */
  static AuthorizationEngine of(Collection<Resource> resources, String rootNamespace) {
    return PolicySet.compile(resources, rootNamespace);
  }

  /** Whether {@code request} to {@code workload} may proceed, and which policy said so. */
  Decision decide(WorkloadInfo workload, RequestView request);

  /**
   * Whether a connection relayed as bytes (TCP) to {@code workload} may proceed, as Istio holds TCP
   * traffic to the policies: only principals, namespaces, IP blocks, ports and the
   * {@code source.*} and {@code destination.port} conditions can be checked, so in an ALLOW policy
   * a rule that also names an HTTP-only field (hosts, methods, paths, requestPrincipals, a
   * {@code request.*} condition) never matches, and in a DENY policy those fields are left out of
   * the rule (it denies more, never less).
   */
  Decision decideConnection(WorkloadInfo workload, RequestView connection);

  /** The policies that select {@code workload}, as {@code namespace/name (ACTION)}, for describe. */
  List<String> policiesFor(WorkloadInfo workload);
}
