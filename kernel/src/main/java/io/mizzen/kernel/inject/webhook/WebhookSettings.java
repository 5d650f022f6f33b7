package io.mizzen.kernel.inject.webhook;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the webhook function reads from {@code plugins.settings.webhook} in {@code mizzen.yaml},
 * each key falling back to the environment variable the Kubernetes manifests set.
 *
 * @param template the injection template file ({@code template}, else {@code MIZZEN_INJECTION_TEMPLATE});
 *     {@code null}: the template in the jar
 * @param meshConfig the MeshConfig file ({@code meshConfig}, else {@code MIZZEN_MESH_CONFIG}); {@code null}: defaults
 * @param service the DNS name the API server dials ({@code service}, else {@code MIZZEN_WEBHOOK_SERVICE},
 *     else {@code mizzen-control-plane.mizzen-system.svc})
 * @param hosts every name and IP in the serving certificate: the service, its {@code .cluster.local}
 *     form, {@code localhost} and {@code 127.0.0.1} unless {@code hosts} lists them
 * @param certificateTtl the serving certificate's lifetime asked for ({@code certificateTtl}, 24h)
 */
record WebhookSettings(Path template, Path meshConfig, String service, List<String> hosts, Duration certificateTtl) {
  static final String DEFAULT_SERVICE = "mizzen-control-plane.mizzen-system.svc";
  private static final Set<String> KNOWN = Set.of("enabled", "template", "meshConfig", "service", "hosts", "certificateTtl");

  WebhookSettings {
    hosts = List.copyOf(hosts);
  }

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming the key ({@code plugins.settings.webhook.<key>}) that is wrong
   */
  static WebhookSettings from(Map<String, Object> raw, Map<String, String> env) {
    for (String key : raw.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException("plugins.settings.webhook." + key + ": unknown setting (known: " + KNOWN + ")");
      }
    }
    String template = text(raw, "template", env.get("MIZZEN_INJECTION_TEMPLATE"));
    String mesh = text(raw, "meshConfig", env.get("MIZZEN_MESH_CONFIG"));
    String service = text(raw, "service", env.getOrDefault("MIZZEN_WEBHOOK_SERVICE", DEFAULT_SERVICE));
    if (service == null || service.isBlank()) {
      throw new IllegalArgumentException("plugins.settings.webhook.service: must name the Service the API server dials");
    }
    List<String> hosts = new ArrayList<>();
    Object h = raw.get("hosts");
    if (h == null) {
      hosts.addAll(List.of(service, service + ".cluster.local", "localhost", "127.0.0.1"));
    } else if (h instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(String.class::isInstance)) {
      hosts.add(service);
      list.forEach(x -> {
        if (!hosts.contains(x)) {
          hosts.add((String) x);
        }
      });
    } else {
      throw new IllegalArgumentException("plugins.settings.webhook.hosts: expected a non-empty list of host names, got " + h);
    }
    Duration ttl = Duration.ofHours(24);
    String t = text(raw, "certificateTtl", null);
    if (t != null) {
      try {
        ttl = Duration.parse("PT" + t.toUpperCase(java.util.Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("plugins.settings.webhook.certificateTtl: '" + t + "' is not a duration such as 24h or 90m", e);
      }
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("plugins.settings.webhook.certificateTtl: must be positive, got " + t);
      }
    }
    return new WebhookSettings(template == null || template.isBlank() ? null : Path.of(template),
        mesh == null || mesh.isBlank() ? null : Path.of(mesh), service, hosts, ttl);
  }

  private static String text(Map<String, Object> raw, String key, String fallback) {
    Object v = raw.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("plugins.settings.webhook." + key + ": expected a string, got " + v);
    }
    return s;
  }
}
