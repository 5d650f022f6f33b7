package io.mizzen.spi.proxy;

import java.util.Map;

/**
 * Who the proxy stands beside: what the agent knows of its workload, published through
 * {@link io.mizzen.spi.MeshContext#publish} for the proxy (source labels for routing, the
 * namespace for Sidecar and exportTo scoping, the app port for the inbound listener).
 *
 * @param service the workload's service name, such as {@code reviews}
 * @param namespace its namespace
 * @param labels its labels ({@code app}, {@code version}, …)
 * @param serviceAccount its service account (its SPIFFE identity's last segment)
 * @param address the address other proxies reach its inbound listener at
 * @param appPort the port the app itself listens on, on loopback (0: none, a gateway)
 */
public record WorkloadInfo(
    String service, String namespace, Map<String, String> labels, String serviceAccount,
    String address, int appPort) {
  public WorkloadInfo {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
    serviceAccount = serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
  }

  /** Whether this is a gateway's workload: one with no app beside it ({@code appPort} 0). */
  public boolean gateway() {
    return appPort == 0;
  }
}
