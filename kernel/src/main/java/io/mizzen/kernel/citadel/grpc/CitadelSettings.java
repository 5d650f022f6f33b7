package io.mizzen.kernel.citadel.grpc;

import io.mizzen.kernel.citadel.CsrService;
import io.mizzen.kernel.citadel.GoDuration;
import io.mizzen.spi.ConfigError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Citadel's settings ({@code plugins.settings.citadel} in mizzen.yaml).
 *
 * @param ca the name of the {@code CertificateAuthority} extension to sign with
 * @param host the address the CSR service binds (the kernel's bind address by default)
 * @param port its port (the kernel's TLS gRPC port by default, Istio's 15012; 0 for any free one)
 * @param hosts DNS names and IPs in the serving certificate, as agents dial the control plane
 * @param servingTtl the serving certificate's lifetime
 * @param replayWindow how far a request's timestamp may be from the control plane's clock
 */
record CitadelSettings(String ca, String host, int port, List<String> hosts, Duration servingTtl, Duration replayWindow) {
  static final String DEFAULT_CA = "bouncycastle";
  private static final Set<String> KNOWN = Set.of("ca", "host", "port", "hosts", "servingTtl", "replayWindow");

  /**
   * Reads and validates settings, every error keyed by field.
   *
   * @throws IllegalArgumentException listing every error
   */
  static CitadelSettings from(Map<String, Object> raw, String rootNamespace, String defaultHost, int defaultPort) {
    List<ConfigError> errors = new ArrayList<>();
    for (String key : raw.keySet()) {
      if (!KNOWN.contains(key)) {
        errors.add(new ConfigError(key, "unknown field (expected one of " + KNOWN + ")"));
      }
    }
    String ca = text(raw, "ca", DEFAULT_CA, errors);
    String host = text(raw, "host", defaultHost, errors);
    int port = defaultPort;
    Object p = raw.get("port");
    if (p instanceof Integer i && i >= 0 && i <= 65535) {
      port = i;
    } else if (p != null) {
      errors.add(new ConfigError("port", "must be a port number 0-65535, was " + p));
    }
    List<String> hosts = List.of("istiod." + rootNamespace + ".svc", "localhost", "127.0.0.1");
    Object h = raw.get("hosts");
    if (h instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(x -> x instanceof String)) {
      hosts = list.stream().map(String.class::cast).toList();
    } else if (h != null) {
      errors.add(new ConfigError("hosts", "must be a non-empty list of DNS names or IP addresses"));
    }
    Duration servingTtl = duration(raw, "servingTtl", Duration.ofHours(24), errors);
    Duration window = duration(raw, "replayWindow", CsrService.DEFAULT_REPLAY_WINDOW, errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid citadel settings: " + errors);
    }
    return new CitadelSettings(ca, host, port, hosts, servingTtl, window);
  }

  private static String text(Map<String, Object> raw, String field, String fallback, List<ConfigError> errors) {
    Object v = raw.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof String s && !s.isBlank()) {
      return s;
    }
    errors.add(new ConfigError(field, "must be a non-empty string"));
    return fallback;
  }

  private static Duration duration(Map<String, Object> raw, String field, Duration fallback, List<ConfigError> errors) {
    Object v = raw.get(field);
    if (v == null) {
      return fallback;
    }
    try {
      Duration d = GoDuration.parse(String.valueOf(v));
      if (d.isZero() || d.isNegative()) {
        errors.add(new ConfigError(field, "must be positive"));
      }
      return d;
    } catch (IllegalArgumentException e) {
      errors.add(new ConfigError(field, e.getMessage()));
      return fallback;
    }
  }
}
