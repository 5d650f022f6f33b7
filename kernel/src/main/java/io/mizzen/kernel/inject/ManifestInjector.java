package io.mizzen.kernel.inject;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link SidecarInjector} over multi-document manifests, one {@link PodInjection} per pod template. */
final class ManifestInjector implements SidecarInjector {

  private final PodInjection pods;

  ManifestInjector(InjectionTemplate template, MeshDefaults mesh) {
    this.pods = new PodInjection(template, mesh);
  }

  @Override
  public String injectManifest(String yaml, String source) {
    ManifestStream stream = ManifestStream.read(yaml, source);
    return stream.write(doc -> {
      if (!(doc.content() instanceof Map<?, ?> object)) {
        return Optional.empty();
      }
      String where = source + ":" + doc.line() + ": document " + (doc.index() + 1) + describe(object) + ":";
      try {
        return injectObject(InjectionTemplate.castMap(object), where) ? Optional.of(object) : Optional.empty();
      } catch (InjectionException e) {
        if (e.getMessage().startsWith(source)) {
          throw e;
        }
        // template errors carry the template's name; say also which document triggered them
        throw new InjectionException(where + " " + e.getMessage(), e);
      }
    });
  }

  @Override
  public boolean injectObject(Map<String, Object> object, String where) {
    if ("List".equals(object.get("kind")) && object.get("items") instanceof List<?> items) {
      boolean changed = false;
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) instanceof Map<?, ?> item) {
          changed |= injectObject(InjectionTemplate.castMap(item), where + " items[" + i + "]" + describe(item) + ":");
        }
      }
      return changed;
    }
    Optional<WorkloadKind> kind = WorkloadKind.of(object.get("kind"));
    if (kind.isEmpty()) {
      return false;
    }
    Map<String, Object> pod = object;
    String path = "";
    for (String key : kind.get().templatePath()) {
      path = path.isEmpty() ? key : path + "." + key;
      if (!(pod.get(key) instanceof Map<?, ?> next)) {
        throw new InjectionException(where + " " + path + " must be a map, got " + InjectionTemplate.describe(pod.get(key)));
      }
      pod = InjectionTemplate.castMap(next);
    }
    return pods.inject(pod, kind.get(), workloadName(object, kind.get()), path.isEmpty() ? where : where + " " + path);
  }

  /** Pods reaching the webhook often have only a generateName ("details-v1-5974b67c8-"). */
  private static String workloadName(Map<String, Object> object, WorkloadKind kind) {
    if (object.get("metadata") instanceof Map<?, ?> md) {
      if (md.get("name") instanceof String name && !name.isEmpty()) {
        return name;
      }
      if (md.get("generateName") instanceof String gen && !gen.isEmpty()) {
        return gen.endsWith("-") ? gen.substring(0, gen.length() - 1) : gen;
      }
    }
    return kind.kind().toLowerCase(java.util.Locale.ROOT);
  }

  private static String describe(Map<?, ?> object) {
    Object kind = object.get("kind");
    Object name = object.get("metadata") instanceof Map<?, ?> md ? md.get("name") : null;
    return kind == null ? "" : " (" + kind + (name == null ? "" : " " + name) + ")";
  }
}
