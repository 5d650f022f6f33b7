package io.mizzen.kernel.inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The mesh-wide values injection needs, read from an Istio MeshConfig file
 * ({@code --meshConfigFile}): {@code trustDomain} and, under {@code defaultConfig},
 * {@code discoveryAddress}, {@code statusPort}, {@code proxyAdminPort} and the Mizzen addition
 * {@code proxyImage}. Other MeshConfig keys are Istio's and are left alone. The file may also be
 * the ConfigMap holding the mesh config under {@code data.mesh}.
 *
 * @param proxyImage       image of the init and sidecar containers
 * @param discoveryAddress host:port of the control plane's TLS config/CA port
 * @param trustDomain      SPIFFE trust domain
 * @param statusPort       the agent's health port (readiness, rewritten app probes)
 * @param adminPort        the agent's admin port (quitquitquit, stats)
 */
public record MeshDefaults(String proxyImage, String discoveryAddress, String trustDomain, int statusPort, int adminPort) {

  public static final String DEFAULT_IMAGE = "mizzen/mizzen:0.1.0";
  public static final String DEFAULT_DISCOVERY_ADDRESS = "mizzen-control-plane.mizzen-system.svc:15012";

  public MeshDefaults {
    requirePort(statusPort, "defaultConfig.statusPort");
    requirePort(adminPort, "defaultConfig.proxyAdminPort");
    if (proxyImage == null || proxyImage.isBlank()) {
      throw new InjectionException("defaultConfig.proxyImage must not be empty");
    }
  }

  /** Values used when no mesh config is given. */
  public static MeshDefaults defaults() {
    return new MeshDefaults(DEFAULT_IMAGE, DEFAULT_DISCOVERY_ADDRESS, "cluster.local", 15021, 15000);
  }

  /** Reads a MeshConfig YAML file (blocking). */
  public static MeshDefaults load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new InjectionException(file + ": cannot read mesh config: " + e.getMessage(), e);
    }
  }

  /** Parses MeshConfig text; wrong types are reported with the file and field path. */
  public static MeshDefaults parse(String text, String source) {
    Object parsed;
    try {
      parsed = KubeYaml.loader(source).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new InjectionException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    MeshDefaults d = defaults();
    if (parsed == null) {
      return d;
    }
    if (parsed instanceof Map<?, ?> cm && "ConfigMap".equals(cm.get("kind"))) {
      // `kubectl get configmap mizzen-mesh -o yaml` (or Istio's `istio`): the mesh is data.mesh
      if (!(cm.get("data") instanceof Map<?, ?> data) || !(data.get("mesh") instanceof String mesh)) {
        throw new InjectionException(source + ": a ConfigMap given as mesh config must have data.mesh");
      }
      return parse(mesh, source + " (data.mesh)");
    }
    if (!(parsed instanceof Map<?, ?> mesh)) {
      throw new InjectionException(source + ": a mesh config must be a YAML map, got " + InjectionTemplate.describe(parsed));
    }
    Object dc = mesh.get("defaultConfig");
    if (dc != null && !(dc instanceof Map)) {
      throw new InjectionException(source + ": defaultConfig must be a map, got " + InjectionTemplate.describe(dc));
    }
    Map<?, ?> proxy = dc == null ? Map.of() : (Map<?, ?>) dc;
    try {
      return new MeshDefaults(
          string(proxy, "proxyImage", d.proxyImage(), source),
          string(proxy, "discoveryAddress", d.discoveryAddress(), source),
          string(mesh, "trustDomain", d.trustDomain(), source),
          port(proxy, "statusPort", d.statusPort(), source),
          port(proxy, "proxyAdminPort", d.adminPort(), source));
    } catch (InjectionException e) {
      if (e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new InjectionException(source + ": " + e.getMessage(), e);
    }
  }

  private static String string(Map<?, ?> map, String key, String fallback, String source) {
    Object v = map.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new InjectionException(source + ": " + key + " must be a string, got " + InjectionTemplate.describe(v));
    }
    return s;
  }

  private static int port(Map<?, ?> map, String key, int fallback, String source) {
    Object v = map.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw new InjectionException(source + ": defaultConfig." + key + " must be a port number, got "
          + InjectionTemplate.describe(v));
    }
    if (n.doubleValue() < 1 || n.doubleValue() > 65535 || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new InjectionException(source + ": defaultConfig." + key + " must be a port from 1 to 65535, got " + n);
    }
    return n.intValue();
  }

  private static void requirePort(int port, String field) {
    if (port < 1 || port > 65535) {
      throw new InjectionException(field + " must be a port in 1..65535, got " + port);
    }
  }
}
