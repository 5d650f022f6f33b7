package io.mizzen.spi.mixer;

import java.util.Map;

/**
 * A template instance, filled from attribute expressions for one request.
 *
 * @param name the instance's name, such as {@code requestcount.metric.istio-system}
 * @param template the template, such as {@code metric}
 * @param fields the evaluated fields; values are {@code String}, {@code Long}, {@code Double},
 *     {@code Boolean}, {@code java.time.Instant}, {@code java.time.Duration},
 *     {@code java.net.InetAddress}, or {@code Map<String, Object>} for dimension maps
 */
public record Instance(String name, String template, Map<String, Object> fields) {
  public Instance {
    fields = Map.copyOf(fields);
  }
}
