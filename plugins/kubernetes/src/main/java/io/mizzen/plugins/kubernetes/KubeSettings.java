package io.mizzen.plugins.kubernetes;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code plugins.settings.kubernetes} in {@code mizzen.yaml}, shared by the registry, the config
 * source and the TokenReview verifier.
 *
 * @param enabled whether to talk to an API server at all ({@code enabled}; by default only inside
 *     a cluster, where {@code KUBERNETES_SERVICE_HOST} is set), so a laptop's control plane boots
 *     without one
 * @param masterUrl the API server ({@code masterUrl}); {@code null}: the in-cluster or kubeconfig
 *     default
 * @param namespace the one namespace to watch ({@code namespace}); {@code null}: all
 * @param resync how often informers re-deliver their whole cache ({@code resync}, {@code 60s})
 * @param reconnectInterval the first delay before re-watching after the API server is lost
 *     ({@code reconnectInterval}, {@code 1s}; it backs off from there)
 * @param clusterDomain the cluster's DNS suffix ({@code clusterDomain}, {@code cluster.local})
 * @param audiences the audiences a service-account token must carry for the TokenReview
 *     ({@code audiences}, else {@code MIZZEN_CA_AUDIENCE}, else none: the API server's default)
 * @param webhookConfiguration the MutatingWebhookConfiguration whose {@code caBundle} the control
 *     plane fills in ({@code webhookConfiguration}, else {@code MIZZEN_WEBHOOK_CONFIG_NAME}, else
 *     {@code mizzen-sidecar-injector})
 */
record KubeSettings(boolean enabled, String masterUrl, String namespace, Duration resync, Duration reconnectInterval,
    String clusterDomain, List<String> audiences, String webhookConfiguration) {
  private static final String PREFIX = "plugins.settings.kubernetes.";
  private static final Set<String> KNOWN = Set.of("enabled", "masterUrl", "namespace", "resync", "reconnectInterval",
      "clusterDomain", "audiences", "webhookConfiguration");

  KubeSettings {
    audiences = List.copyOf(audiences);
  }

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming the key that is wrong
   */
  static KubeSettings from(Map<String, Object> raw, Map<String, String> env) {
    for (String key : raw.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException(PREFIX + key + ": unknown setting (known: " + KNOWN.stream().sorted().toList() + ")");
      }
    }
    Object e = raw.get("enabled");
    if (e != null && !(e instanceof Boolean)) {
      throw new IllegalArgumentException(PREFIX + "enabled: expected true or false, got " + e);
    }
    boolean enabled = e == null ? env.get("KUBERNETES_SERVICE_HOST") != null : (Boolean) e;
    List<String> audiences;
    Object a = raw.get("audiences");
    if (a == null) {
      String fromEnv = env.get("MIZZEN_CA_AUDIENCE");
      audiences = fromEnv == null || fromEnv.isBlank() ? List.of() : List.of(fromEnv);
    } else if (a instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      audiences = list.stream().map(String.class::cast).toList();
    } else {
      throw new IllegalArgumentException(PREFIX + "audiences: expected a list of strings, got " + a);
    }
    return new KubeSettings(enabled, text(raw, "masterUrl", null), text(raw, "namespace", null),
        duration(raw, "resync", Duration.ofSeconds(60)), duration(raw, "reconnectInterval", Duration.ofSeconds(1)),
        text(raw, "clusterDomain", "cluster.local"), audiences,
        text(raw, "webhookConfiguration", env.getOrDefault("MIZZEN_WEBHOOK_CONFIG_NAME", "mizzen-sidecar-injector")));
  }

  private static String text(Map<String, Object> raw, String key, String fallback) {
    Object v = raw.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(PREFIX + key + ": expected a non-empty string, got " + v);
    }
    return s;
  }

  private static Duration duration(Map<String, Object> raw, String key, Duration fallback) {
    String s = text(raw, key, null);
    if (s == null) {
      return fallback;
    }
    Duration d;
    try {
      d = s.endsWith("ms") ? Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)))
          : Duration.parse("PT" + s.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException | NumberFormatException ex) {
      throw new IllegalArgumentException(PREFIX + key + ": '" + s + "' is not a duration such as 500ms, 30s or 5m", ex);
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(PREFIX + key + ": must be positive, got " + s);
    }
    return d;
  }
}
