package io.mizzen.kernel.settings;

import java.util.Map;

/**
 * What a data-plane kernel's agent knows of its workload and where the control plane is. Each
 * field may come from {@code mizzen.yaml} ({@code controlPlane:}, {@code workload:}), the
 * environment kube-inject sets, or the role command's flags (flags win over the environment, the
 * environment over the file); the demo passes one per sidecar through {@link MeshSettings#withAgent}.
 *
 * @param controlPlane the control plane's gRPC {@code host:port} ({@code 127.0.0.1:15010})
 * @param service the workload's service; empty means "the proxy has no workload" (a gateway)
 * @param namespace its namespace ({@code default})
 * @param labels its labels
 * @param serviceAccount its service account ({@code default})
 * @param address the address other proxies reach it at ({@code 127.0.0.1})
 * @param appPort the app's own port on loopback (0: none)
 * @param servicePort the port clients address the service by (Bookinfo's 9080), registered as the
 *     endpoint's port; 0 means the app port
 */
public record AgentSettings(String controlPlane, String service, String namespace, Map<String, String> labels,
    String serviceAccount, String address, int appPort, int servicePort) {
  public AgentSettings {
    controlPlane = controlPlane == null || controlPlane.isEmpty() ? "127.0.0.1:15010" : controlPlane;
    service = service == null ? "" : service;
    namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    serviceAccount = serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
    address = address == null || address.isEmpty() ? "127.0.0.1" : address;
    if (appPort < 0 || appPort > 65535) {
      throw new IllegalArgumentException("appPort " + appPort + " is out of range 0-65535");
    }
    if (servicePort < 0 || servicePort > 65535) {
      throw new IllegalArgumentException("servicePort " + servicePort + " is out of range 0-65535");
    }
    servicePort = servicePort == 0 ? appPort : servicePort;
  }

  /** Settings whose service port is the app port. */
  public AgentSettings(String controlPlane, String service, String namespace, Map<String, String> labels,
      String serviceAccount, String address, int appPort) {
    this(controlPlane, service, namespace, labels, serviceAccount, address, appPort, 0);
  }

  /** No workload, the control plane on loopback's default port. */
  public static AgentSettings defaults() {
    return new AgentSettings(null, null, null, null, null, null, 0);
  }

  /** A copy pointing at another control plane. */
  public AgentSettings withControlPlane(String hostPort) {
    return new AgentSettings(hostPort, service, namespace, labels, serviceAccount, address, appPort,
        servicePort);
  }
}
