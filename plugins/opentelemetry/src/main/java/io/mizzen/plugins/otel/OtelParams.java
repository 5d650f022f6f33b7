package io.mizzen.plugins.otel;

import io.mizzen.spi.mixer.AdapterParams;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validated handler params.
 *
 * @param endpoint the OTLP/HTTP base URL ({@code http://collector:4318}); signals go to
 *     {@code /v1/metrics}, {@code /v1/logs}, {@code /v1/traces} under it
 * @param serviceName the resource's {@code service.name}
 * @param exportInterval how often metrics are exported
 * @param headers extra request headers (an API key for a SaaS backend, say)
 * @param metrics how each metric instance is exported, by instance name
 */
record OtelParams(String endpoint, String serviceName, Duration exportInterval, Map<String, String> headers,
                  Map<String, MetricMapping> metrics) {

  /** One metric instance → one OpenTelemetry instrument. */
  record MetricMapping(String instanceName, String name, String kind) {}

  static OtelParams read(AdapterParams p) {
    p.only("endpoint", "serviceName", "exportInterval", "headers", "metrics");
    String endpoint = p.string("endpoint", "");
    if (endpoint.isEmpty()) {
      p.error("endpoint", "is required: the OTLP/HTTP base URL, such as http://otel-collector:4318");
    } else {
      try {
        URI u = URI.create(endpoint);
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
          p.error("endpoint", "must be an http(s) URL with a host, not " + endpoint);
        }
      } catch (IllegalArgumentException e) {
        p.error("endpoint", "is not a URL: " + e.getMessage());
      }
    }
    Duration interval = p.duration("exportInterval", Duration.ofSeconds(10));
    if (interval.isZero()) {
      p.error("exportInterval", "must be positive");
    }
    Map<String, MetricMapping> metrics = new HashMap<>();
    List<AdapterParams> list = p.objects("metrics");
    for (int i = 0; i < list.size(); i++) {
      AdapterParams m = list.get(i).only("instanceName", "name", "kind");
      String instance = m.string("instanceName", "");
      String name = m.string("name", "");
      if (instance.isEmpty()) {
        m.error("instanceName", "is required");
      }
      if (name.isEmpty()) {
        m.error("name", "is required");
      }
      String kind = m.choice("kind", "COUNTER", "COUNTER", "GAUGE", "DISTRIBUTION");
      if (metrics.putIfAbsent(instance, new MetricMapping(instance, name, kind)) != null && !instance.isEmpty()) {
        m.error("instanceName", instance + " is listed twice");
      }
    }
    return new OtelParams(endpoint.replaceAll("/+$", ""), p.string("serviceName", "mizzen-mixer"), interval,
        p.stringMap("headers"), Map.copyOf(metrics));
  }
}
