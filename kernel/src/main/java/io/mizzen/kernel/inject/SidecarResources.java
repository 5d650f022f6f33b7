package io.mizzen.kernel.inject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Istio's per-pod resource annotations for the sidecar: {@code sidecar.istio.io/proxyCPU},
 * {@code proxyMemory} (requests) and {@code proxyCPULimit}, {@code proxyMemoryLimit} (limits).
 */
final class SidecarResources {

  private static final Pattern QUANTITY = Pattern.compile("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$");
  private static final List<String[]> ANNOTATIONS = List.of(
      new String[] {"sidecar.istio.io/proxyCPU", "requests", "cpu"},
      new String[] {"sidecar.istio.io/proxyMemory", "requests", "memory"},
      new String[] {"sidecar.istio.io/proxyCPULimit", "limits", "cpu"},
      new String[] {"sidecar.istio.io/proxyMemoryLimit", "limits", "memory"});

  private SidecarResources() {}

  static void apply(Map<String, Object> annotations, Map<String, Object> sidecar, String where) {
    for (String[] a : ANNOTATIONS) {
      Object v = annotations.get(a[0]);
      if (v == null) {
        continue;
      }
      String quantity = String.valueOf(v).strip();
      if (!QUANTITY.matcher(quantity).matches()) {
        throw new InjectionException(PodInjection.at(where, "metadata.annotations[" + a[0] + "]") + ": '" + v
            + "' is not a Kubernetes quantity (e.g. 100m, 0.5, 128Mi)");
      }
      Map<String, Object> resources = child(sidecar, "resources");
      child(resources, a[1]).put(a[2], quantity);
    }
  }

  private static Map<String, Object> child(Map<String, Object> parent, String key) {
    if (!(parent.get(key) instanceof Map<?, ?> m)) {
      Map<String, Object> created = new LinkedHashMap<>();
      parent.put(key, created);
      return created;
    }
    return InjectionTemplate.castMap(m);
  }
}
