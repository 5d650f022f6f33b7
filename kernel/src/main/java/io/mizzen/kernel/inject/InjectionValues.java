package io.mizzen.kernel.inject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The placeholder values a template is rendered with, for one pod: mesh defaults, overridden by
 * the pod's own Istio annotations where Istio allows it.
 *
 * <table>
 * <caption>placeholders</caption>
 * <tr><td>proxyImage</td><td>{@code sidecar.istio.io/proxyImage} or the mesh default</td></tr>
 * <tr><td>discoveryAddress</td><td>{@code sidecar.istio.io/discoveryAddress} or the mesh default</td></tr>
 * <tr><td>trustDomain, adminPort</td><td>mesh config</td></tr>
 * <tr><td>statusPort</td><td>{@code status.sidecar.istio.io/port} or the mesh default</td></tr>
 * <tr><td>interceptionMode</td><td>{@code sidecar.istio.io/interceptionMode}, default REDIRECT</td></tr>
 * <tr><td>includeOutboundIPRanges, excludeOutboundIPRanges, includeInboundPorts,
 *   excludeInboundPorts, excludeOutboundPorts</td><td>the {@code traffic.sidecar.istio.io/*}
 *   annotations; inbound exclusions always hold the status and Prometheus ports</td></tr>
 * <tr><td>applicationPorts</td><td>the app containers' ports, comma separated</td></tr>
 * <tr><td>workloadName, workloadKind, serviceCluster</td><td>the object; serviceCluster is
 *   {@code <app label or workload>.$(POD_NAMESPACE)}</td></tr>
 * </table>
 */
final class InjectionValues {

  static final int PROMETHEUS_PORT = 15090;

  private InjectionValues() {}

  static Map<String, Object> of(MeshDefaults mesh, WorkloadKind kind, String workloadName,
      Map<String, Object> labels, Map<String, Object> annotations, List<Map<String, Object>> appContainers,
      String where) {
    int statusPort = annotationPort(annotations, "status.sidecar.istio.io/port", mesh.statusPort(), where);
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("proxyImage", annotation(annotations, "sidecar.istio.io/proxyImage", mesh.proxyImage()));
    v.put("discoveryAddress", annotation(annotations, "sidecar.istio.io/discoveryAddress", mesh.discoveryAddress()));
    v.put("trustDomain", mesh.trustDomain());
    v.put("statusPort", statusPort);
    v.put("adminPort", mesh.adminPort());
    String mode = annotation(annotations, "sidecar.istio.io/interceptionMode", "REDIRECT");
    if (!mode.equals("REDIRECT") && !mode.equals("NONE")) {
      throw new InjectionException(PodInjection.at(where, "metadata.annotations[sidecar.istio.io/interceptionMode]: '") + mode
          + "' is not supported (REDIRECT or NONE)");
    }
    v.put("interceptionMode", mode);
    v.put("includeOutboundIPRanges", annotation(annotations, "traffic.sidecar.istio.io/includeOutboundIPRanges", "*"));
    v.put("excludeOutboundIPRanges", annotation(annotations, "traffic.sidecar.istio.io/excludeOutboundIPRanges", ""));
    v.put("includeInboundPorts", annotation(annotations, "traffic.sidecar.istio.io/includeInboundPorts", "*"));
    Set<String> excludedInbound = new LinkedHashSet<>(List.of(String.valueOf(statusPort), String.valueOf(PROMETHEUS_PORT)));
    for (String p : annotation(annotations, "traffic.sidecar.istio.io/excludeInboundPorts", "").split(",")) {
      if (!p.isBlank()) {
        excludedInbound.add(p.strip());
      }
    }
    v.put("excludeInboundPorts", String.join(",", excludedInbound));
    v.put("excludeOutboundPorts", annotation(annotations, "traffic.sidecar.istio.io/excludeOutboundPorts", ""));
    v.put("applicationPorts", String.join(",", applicationPorts(appContainers)));
    v.put("workloadName", workloadName);
    v.put("workloadKind", kind.kind());
    Object app = labels.get("app");
    v.put("serviceCluster", (app != null ? app : workloadName) + ".$(POD_NAMESPACE)");
    return v;
  }

  private static List<String> applicationPorts(List<Map<String, Object>> containers) {
    List<String> ports = new ArrayList<>();
    for (Map<String, Object> c : containers) {
      if (c.get("ports") instanceof List<?> list) {
        for (Object p : list) {
          if (p instanceof Map<?, ?> pm && pm.get("containerPort") != null) {
            ports.add(String.valueOf(pm.get("containerPort")));
          }
        }
      }
    }
    return ports;
  }

  private static String annotation(Map<String, Object> annotations, String key, String fallback) {
    Object v = annotations.get(key);
    return v == null ? fallback : String.valueOf(v);
  }

  private static int annotationPort(Map<String, Object> annotations, String key, int fallback, String where) {
    Object v = annotations.get(key);
    if (v == null) {
      return fallback;
    }
    String text = String.valueOf(v).strip();
    if (text.matches("\\d{1,5}") && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= 65535) {
      return Integer.parseInt(text);
    }
    throw new InjectionException(PodInjection.at(where, "metadata.annotations[") + key + "]: '" + v + "' is not a port number");
  }
}
