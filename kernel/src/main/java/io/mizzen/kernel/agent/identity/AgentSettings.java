package io.mizzen.kernel.agent.identity;

import io.mizzen.kernel.citadel.GoDuration;
import io.mizzen.spi.ConfigError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The sidecar agent's identity settings ({@code plugins.settings.citadel-agent} in mizzen.yaml).
 *
 * @param controlPlaneHost Citadel's host, as named in its serving certificate
 * @param controlPlanePort Citadel's TLS port (15012)
 * @param namespace the workload's namespace
 * @param serviceAccount the workload's service account
 * @param tokenFile the file holding the bootstrap token (re-read at each renewal)
 * @param rootCertFile the mesh root(s) to trust Citadel by, PEM (Istio mounts it as root-cert.pem)
 * @param keyType the workload key type
 * @param ttl the lifetime to ask for, or {@code null} for the CA's default
 */
record AgentSettings(String controlPlaneHost, int controlPlanePort, String namespace, String serviceAccount, Path tokenFile,
    Path rootCertFile, KeyType keyType, Duration ttl) {
  private static final Set<String> KNOWN =
      Set.of("controlPlane", "namespace", "serviceAccount", "tokenFile", "rootCertFile", "keyType", "ttl");

  /**
   * Reads and validates settings, every error keyed by field.
   *
   * @throws IllegalArgumentException listing every error
   */
  static AgentSettings from(Map<String, Object> raw, String rootNamespace) {
    List<ConfigError> errors = new ArrayList<>();
    for (String key : raw.keySet()) {
      if (!KNOWN.contains(key)) {
        errors.add(new ConfigError(key, "unknown field (expected one of " + KNOWN + ")"));
      }
    }
    String address = string(raw, "controlPlane", "istiod." + rootNamespace + ".svc:15012", errors);
    String host = address;
    int port = 15012;
    int colon = address.lastIndexOf(':');
    if (colon > 0) {
      host = address.substring(0, colon);
      try {
        port = Integer.parseInt(address.substring(colon + 1));
        if (port < 1 || port > 65535) {
          errors.add(new ConfigError("controlPlane", "port " + port + " is out of range"));
        }
      } catch (NumberFormatException e) {
        errors.add(new ConfigError("controlPlane", "'" + address + "' is not host:port"));
      }
    }
    String namespace = string(raw, "namespace", null, errors);
    String serviceAccount = string(raw, "serviceAccount", null, errors);
    String token = string(raw, "tokenFile", null, errors);
    String roots = string(raw, "rootCertFile", null, errors);
    KeyType keyType = KeyType.EC_P256;
    Object kt = raw.get("keyType");
    if (kt != null) {
      try {
        keyType = KeyType.valueOf(String.valueOf(kt).toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError("keyType", "'" + kt + "' is not one of " + List.of(KeyType.values())));
      }
    }
    Duration ttl = null;
    Object t = raw.get("ttl");
    if (t != null) {
      try {
        ttl = GoDuration.parse(String.valueOf(t));
      } catch (IllegalArgumentException e) {
        errors.add(new ConfigError("ttl", e.getMessage()));
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid citadel-agent settings: " + errors);
    }
    return new AgentSettings(host, port, namespace, serviceAccount, Path.of(token), Path.of(roots), keyType, ttl);
  }

  private static String string(Map<String, Object> raw, String field, String fallback, List<ConfigError> errors) {
    Object v = raw.get(field);
    if (v instanceof String s && !s.isBlank()) {
      return s;
    }
    if (v == null && fallback != null) {
      return fallback;
    }
    errors.add(new ConfigError(field, v == null ? "required" : "must be a non-empty string"));
    return fallback;
  }
}
