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
 * Namespace, service account and control-plane host default to what the data-plane agent knows of
 * its workload ({@link Workload}), so a sidecar configured once (in {@code workload:}) needs only
 * its token and root file here; the port defaults to the kernel's TLS gRPC port.
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
record IdentitySettings(String controlPlaneHost, int controlPlanePort, String namespace, String serviceAccount, Path tokenFile,
    Path rootCertFile, KeyType keyType, Duration ttl) {
  private static final Set<String> KNOWN =
      Set.of("controlPlane", "namespace", "serviceAccount", "tokenFile", "rootCertFile", "keyType", "ttl");

  /**
   * What the kernel already knows of this workload, the fallbacks for unset fields; any may be
   * {@code null} when unknown (no agent settings, a bare test context).
   *
   * @param namespace the workload's namespace ({@code WorkloadInfo})
   * @param serviceAccount its service account ({@code WorkloadInfo})
   * @param controlPlaneHost the host of the agent's {@code controlPlane}
   * @param tlsPort the kernel's TLS gRPC port ({@code ports().grpcTls()}, 15012), 0 for the default
   */
  record Workload(String namespace, String serviceAccount, String controlPlaneHost, int tlsPort) {
  }

  /**
   * Reads and validates settings, every error keyed by field.
   *
   * @throws IllegalArgumentException listing every error
   */
  static IdentitySettings from(Map<String, Object> raw, String rootNamespace, Workload workload) {
    List<ConfigError> errors = new ArrayList<>();
    for (String key : raw.keySet()) {
      if (!KNOWN.contains(key)) {
        errors.add(new ConfigError(key, "unknown field (expected one of " + KNOWN + ")"));
      }
    }
    int defaultPort = workload.tlsPort() > 0 ? workload.tlsPort() : 15012;
    String defaultHost = workload.controlPlaneHost() != null ? workload.controlPlaneHost() : "istiod." + rootNamespace + ".svc";
    String address = string(raw, "controlPlane", defaultHost + ":" + defaultPort, errors);
    String host = address;
    int port = defaultPort;
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
    String namespace = string(raw, "namespace", workload.namespace(), errors);
    String serviceAccount = string(raw, "serviceAccount", workload.serviceAccount(), errors);
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
    return new IdentitySettings(host, port, namespace, serviceAccount, Path.of(token), Path.of(roots), keyType, ttl);
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
