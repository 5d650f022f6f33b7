package io.mizzen.kernel.inject;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends the app's HTTP probes through the agent. Under STRICT mTLS the kubelet, which has no
 * mesh certificate, can no longer reach the app's port; the agent's health port is excluded
 * from capture, so the kubelet probes {@code /app-health/<container>/livez|readyz|startupz}
 * there and the agent probes the app locally. The original probes go to the sidecar in
 * {@code ISTIO_KUBE_APP_PROBERS}, in Istio's JSON format.
 */
final class AppProbeRewrite {

  static final String PROBERS_ENV = "ISTIO_KUBE_APP_PROBERS";
  private static final Map<String, String> PROBES =
      Map.of("livenessProbe", "livez", "readinessProbe", "readyz", "startupProbe", "startupz");
  private static final List<String> ORDER = List.of("livenessProbe", "readinessProbe", "startupProbe");

  private AppProbeRewrite() {}

  /**
   * Rewrites the HTTP probes of {@code containers} in place to the agent's {@code statusPort}
   * and returns the originals keyed by their new path (empty when there were none).
   */
  static Map<String, Object> rewrite(List<Map<String, Object>> containers, int statusPort, String where) {
    Map<String, Object> probers = new LinkedHashMap<>();
    for (int i = 0; i < containers.size(); i++) {
      Map<String, Object> c = containers.get(i);
      String name = String.valueOf(c.get("name"));
      for (String probeField : ORDER) {
        String at = PodInjection.at(where, "containers[") + i + "]." + probeField;
        if (!(c.get(probeField) instanceof Map<?, ?> probe) || probe.get("httpGet") == null) {
          continue;
        }
        if (!(probe.get("httpGet") instanceof Map<?, ?> httpGet)) {
          throw new InjectionException(at + ".httpGet must be a map, got " + InjectionTemplate.describe(probe.get("httpGet")));
        }
        int port = resolvePort(httpGet.get("port"), c, at + ".httpGet.port");
        String path = "/app-health/" + name + "/" + PROBES.get(probeField);
        Map<String, Object> original = new LinkedHashMap<>();
        httpGet.forEach((k, v) -> original.put(String.valueOf(k), v));
        original.put("port", port);
        original.putIfAbsent("path", "/");
        original.putIfAbsent("scheme", "HTTP");
        JsonObject prober = new JsonObject().put("httpGet", new JsonObject(original));
        if (probe.get("timeoutSeconds") instanceof Number t) {
          prober.put("timeoutSeconds", t.intValue());
        }
        probers.put(path, prober);
        Map<String, Object> rewritten = new LinkedHashMap<>();
        rewritten.put("path", path);
        rewritten.put("port", statusPort);
        rewritten.put("scheme", "HTTP");
        InjectionTemplate.castMap(probe).put("httpGet", rewritten);
      }
    }
    return probers;
  }

  /** Named ports are resolved against the container's ports, since the agent only sees numbers. */
  private static int resolvePort(Object port, Map<String, Object> container, String at) {
    if (port instanceof Number n) {
      return inRange(n.doubleValue(), port, at);
    }
    if (port instanceof String s) {
      if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
        return inRange(s.length() > 6 ? Double.MAX_VALUE : Integer.parseInt(s), port, at);
      }
      if (container.get("ports") instanceof List<?> ports) {
        for (Object p : ports) {
          if (p instanceof Map<?, ?> pm && s.equals(pm.get("name")) && pm.get("containerPort") instanceof Number n) {
            return inRange(n.doubleValue(), n, at + " (containerPort of '" + s + "')");
          }
        }
      }
      throw new InjectionException(at + ": named port '" + s + "' is not among the container's ports");
    }
    throw new InjectionException(at + " must be a port number or name, got " + InjectionTemplate.describe(port));
  }

  /** A port from 1 to 65535, or an error naming where it was written (no silent wrap of 70000 or 2^32). */
  private static int inRange(double port, Object written, String at) {
    if (port < 1 || port > 65535 || port != Math.rint(port)) {
      throw new InjectionException(at + " must be a port from 1 to 65535, got " + InjectionTemplate.describe(written));
    }
    return (int) port;
  }
}
