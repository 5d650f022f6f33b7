package io.mizzen.kernel.agent;

import io.mizzen.kernel.settings.AgentSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment kube-inject gives a sidecar, laid over the agent settings of {@code mizzen.yaml}
 * (a variable set and non-empty wins). See kernel/README.md for the table.
 */
public final class WorkloadEnvironment {
  private WorkloadEnvironment() {}

  /**
   * {@code base} with what {@code env} says.
   *
   * @throws IllegalArgumentException naming the variable, when a value is malformed
   */
  public static AgentSettings over(AgentSettings base, Map<String, String> env) {
    String controlPlane = pick(env, base.controlPlane(), "MIZZEN_DISCOVERY_ADDRESS");
    if (!controlPlane.matches("[^:\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("MIZZEN_DISCOVERY_ADDRESS: '" + controlPlane + "' is not host:port");
    }
    String service = pick(env, base.service(), "MIZZEN_SERVICE_CLUSTER");
    // Istio's service cluster reads "app.namespace"; the service is its first part.
    if (service.contains(".")) {
      service = service.substring(0, service.indexOf('.'));
    }
    Map<String, String> labels = base.labels();
    String labelText = env.get("MIZZEN_WORKLOAD_LABELS");
    if (labelText != null && !labelText.isBlank()) {
      labels = labels(labelText, "MIZZEN_WORKLOAD_LABELS");
    }
    int appPort = base.appPort();
    String ports = env.get("MIZZEN_APPLICATION_PORTS");
    if (ports != null && !ports.isBlank()) {
      String first = ports.split(",")[0].trim();
      try {
        appPort = Integer.parseInt(first);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("MIZZEN_APPLICATION_PORTS: '" + first + "' is not a port number");
      }
      if (appPort < 1 || appPort > 65535) {
        throw new IllegalArgumentException("MIZZEN_APPLICATION_PORTS: " + appPort + " is out of range 1-65535");
      }
    }
    return new AgentSettings(controlPlane, service, pick(env, base.namespace(), "POD_NAMESPACE"), labels,
        pick(env, base.serviceAccount(), "SERVICE_ACCOUNT"), pick(env, base.address(), "INSTANCE_IP"), appPort);
  }

  /** Parses {@code k=v,k2=v2}; {@code source} names the flag or variable in errors. */
  public static Map<String, String> labels(String text, String source) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(source + ": '" + pair.trim() + "' is not key=value");
      }
      labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return labels;
  }

  private static String pick(Map<String, String> env, String base, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? base : v.trim();
  }
}
