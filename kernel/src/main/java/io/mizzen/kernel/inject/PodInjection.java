package io.mizzen.kernel.inject;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Adds the sidecar to one pod template (its metadata and spec maps), in place. */
final class PodInjection {

  static final String STATUS_ANNOTATION = "sidecar.istio.io/status";
  static final String INJECT_ANNOTATION = "sidecar.istio.io/inject";
  static final String REWRITE_PROBES_ANNOTATION = "sidecar.istio.io/rewriteAppHTTPProbers";
  static final String QUIT_ANNOTATION = "sidecar.mizzen.io/quitWhenAppExits";
  static final String QUIT_ENV = "MIZZEN_QUIT_WHEN_APP_EXITS";
  static final String APP_CONTAINERS_ENV = "MIZZEN_APP_CONTAINERS";
  private static final Set<String> YES = Set.of("y", "yes", "true", "on");
  private static final Set<String> NO = Set.of("n", "no", "false", "off");

  private final InjectionTemplate template;
  private final MeshDefaults mesh;

  PodInjection(InjectionTemplate template, MeshDefaults mesh) {
    this.template = template;
    this.mesh = mesh;
  }

  /**
   * Injects into the pod template at {@code pod} (a map with metadata and spec).
   *
   * @return false when the pod is left alone: already injected, opted out, or on the host network
   */
  boolean inject(Map<String, Object> pod, WorkloadKind kind, String workloadName, String where) {
    Map<String, Object> metadata = childMap(pod, "metadata", where);
    Map<String, Object> annotations = childMap(metadata, "annotations", at(where, "metadata"));
    Map<String, Object> labels = metadata.get("labels") instanceof Map<?, ?> l ? InjectionTemplate.castMap(l) : Map.of();
    if (annotations.containsKey(STATUS_ANNOTATION) || !wanted(annotations, INJECT_ANNOTATION, where)) {
      dropIfEmpty(metadata, annotations, pod);
      return false;
    }
    Map<String, Object> spec = childMap(pod, "spec", where);
    if (Boolean.TRUE.equals(spec.get("hostNetwork"))) {
      // Capture rules would rewrite the node's own traffic: Istio skips these pods too.
      dropIfEmpty(metadata, annotations, pod);
      return false;
    }
    List<Map<String, Object>> containers = mapList(spec, "containers", at(where, "spec"), true);
    Map<String, Object> values = InjectionValues.of(mesh, kind, workloadName, labels, annotations, containers, where);
    List<Map<String, Object>> initContainers = "NONE".equals(values.get("interceptionMode"))
        ? List.of() : template.renderList("initContainers", values);
    List<Map<String, Object>> sidecars = template.renderList("containers", values);
    List<Map<String, Object>> volumes = template.renderList("volumes", values);
    if (sidecars.isEmpty()) {
      throw new InjectionException(template.source() + ": the template has no containers: nothing to inject");
    }
    Map<String, Object> sidecar = sidecars.get(0);
    SidecarResources.apply(annotations, sidecar, where);
    initContainers.forEach(PodInjection::envValuesAsStrings);
    sidecars.forEach(PodInjection::envValuesAsStrings);

    if (wanted(annotations, REWRITE_PROBES_ANNOTATION, where)) {
      Map<String, Object> probers = AppProbeRewrite.rewrite(containers, (Integer) values.get("statusPort"), at(where, "spec"));
      if (!probers.isEmpty()) {
        addEnv(sidecar, AppProbeRewrite.PROBERS_ENV, new JsonObject(probers).encode());
      }
    }
    boolean runsToCompletion = kind.runsToCompletion()
        || (kind == WorkloadKind.POD && ("Never".equals(spec.get("restartPolicy")) || "OnFailure".equals(spec.get("restartPolicy"))));
    if (runsToCompletion) {
      // The agent exits when the app containers have exited (it sees their processes through
      // the shared PID namespace), or when the app calls POST 127.0.0.1:<adminPort>/quitquitquit.
      List<String> appNames = containers.stream().map(c -> String.valueOf(c.get("name"))).toList();
      addEnv(sidecar, QUIT_ENV, "true");
      addEnv(sidecar, APP_CONTAINERS_ENV, String.join(",", appNames));
      annotations.put(QUIT_ANNOTATION, "true");
      spec.putIfAbsent("shareProcessNamespace", true);
    }

    append(spec, "initContainers", initContainers, at(where, "spec"));
    append(spec, "containers", sidecars, at(where, "spec"));
    append(spec, "volumes", volumes, at(where, "spec"));
    template.renderAnnotations(values).forEach((key, value) -> {
      // Istio's own keys record what injection applied (e.g. the status ports added to the
      // excluded inbound ports); any other key is a default the pod may already set, such as
      // prometheus.io/* for the app's own metrics, and the pod's value wins.
      if (key.startsWith("sidecar.istio.io/") || key.startsWith("traffic.sidecar.istio.io/")) {
        annotations.put(key, value);
      } else {
        annotations.putIfAbsent(key, value);
      }
    });
    annotations.put(STATUS_ANNOTATION, status(initContainers, sidecars, volumes));
    return true;
  }

  private String status(List<Map<String, Object>> init, List<Map<String, Object>> containers, List<Map<String, Object>> volumes) {
    return new JsonObject()
        .put("version", template.version())
        .put("initContainers", names(init))
        .put("containers", names(containers))
        .put("volumes", names(volumes))
        .putNull("imagePullSecrets")
        .encode();
  }

  private static JsonArray names(List<Map<String, Object>> items) {
    JsonArray a = new JsonArray();
    items.forEach(i -> a.add(i.get("name")));
    return a;
  }

  /** Appends injected items, refusing a name the pod already uses. */
  private static void append(Map<String, Object> spec, String field, List<Map<String, Object>> items, String where) {
    if (items.isEmpty()) {
      return;
    }
    List<Map<String, Object>> existing = mapList(spec, field, where, false);
    for (Map<String, Object> item : items) {
      for (Map<String, Object> e : existing) {
        if (item.get("name").equals(e.get("name"))) {
          throw new InjectionException(at(where, field) + ": the pod already has '" + item.get("name")
              + "', which injection would add (rename it, or opt out with " + INJECT_ANNOTATION + ": \"false\")");
        }
      }
    }
    List<Object> merged = new ArrayList<>(existing);
    merged.addAll(items);
    spec.put(field, merged);
  }

  /** A placeholder that is a number renders as one; an env value must still be a string. */
  private static void envValuesAsStrings(Map<String, Object> container) {
    if (container.get("env") instanceof List<?> env) {
      for (Object e : env) {
        if (e instanceof Map<?, ?> m && m.get("value") != null && !(m.get("value") instanceof String)) {
          InjectionTemplate.castMap(m).put("value", String.valueOf(m.get("value")));
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void addEnv(Map<String, Object> container, String name, String value) {
    Object env = container.computeIfAbsent("env", k -> new ArrayList<>());
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("name", name);
    entry.put("value", value);
    ((List<Object>) env).add(entry);
  }

  private static boolean wanted(Map<String, Object> annotations, String key, String where) {
    Object v = annotations.get(key);
    if (v == null) {
      return true;
    }
    String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
    if (YES.contains(s)) {
      return true;
    }
    if (NO.contains(s)) {
      return false;
    }
    throw new InjectionException(at(where, "metadata.annotations[") + key + "]: '" + v + "' is neither true nor false");
  }

  /** Annotations are created on demand; a pod left alone must not gain an empty map. */
  private static void dropIfEmpty(Map<String, Object> metadata, Map<String, Object> annotations, Map<String, Object> pod) {
    if (annotations.isEmpty()) {
      metadata.remove("annotations");
    }
    if (metadata.isEmpty()) {
      pod.remove("metadata");
    }
  }

  /** A field path under {@code where}, which is either a location ending in ':' or a path. */
  static String at(String where, String field) {
    return where.endsWith(":") ? where + " " + field : where + "." + field;
  }

  static Map<String, Object> childMap(Map<String, Object> parent, String key, String where) {
    Object v = parent.get(key);
    if (v == null) {
      Map<String, Object> created = new LinkedHashMap<>();
      parent.put(key, created);
      return created;
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new InjectionException(at(where, key) + " must be a map, got " + InjectionTemplate.describe(v));
    }
    return InjectionTemplate.castMap(m);
  }

  private static List<Map<String, Object>> mapList(Map<String, Object> parent, String key, String where, boolean required) {
    Object v = parent.get(key);
    if (v == null && !required) {
      return List.of();
    }
    if (!(v instanceof List<?> list) || (required && list.isEmpty())) {
      throw new InjectionException(at(where, key) + " must be a " + (required ? "non-empty " : "") + "list, got "
          + InjectionTemplate.describe(v));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> m) || !(m.get("name") instanceof String)) {
        throw new InjectionException(at(where, key) + "[" + i + "] must be a map with a string 'name'");
      }
      out.add(InjectionTemplate.castMap(m));
    }
    return out;
  }
}
