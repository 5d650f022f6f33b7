package io.mizzen.kernel.pilot;

import java.util.Map;

/**
 * A subscribed proxy, as its first push message names it.
 *
 * @param id unique per proxy, such as {@code reviews-v1-7f9c.default}
 * @param service its workload's service
 * @param namespace its namespace (Sidecar and exportTo scoping)
 * @param labels its workload's labels (Sidecar workloadSelector)
 * @param address its address
 * @param role sidecar, ingress or egress
 */
public record ProxyNode(String id, String service, String namespace, Map<String, String> labels,
    String address, String role) {
  public ProxyNode {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
  }
}
