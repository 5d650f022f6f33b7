package io.mizzen.kernel.mixer;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ValueType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * One {@code attributemanifest} resource: attribute names and their types.
 *
 * @param name the manifest's name ({@code istioproxy}, {@code kubernetes}, …)
 * @param attributes the attributes it declares, in file order
 */
public record AttributeManifest(String name, Map<String, ValueType> attributes) {
  /** The classpath copy of Istio 1.4's two manifests. */
  public static final String BUILT_IN_RESOURCE = "/io/mizzen/kernel/mixer/attribute-manifest.yaml";

  public AttributeManifest {
    attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /** Istio's standard vocabulary ({@code istioproxy} and {@code kubernetes} manifests). */
  public static List<AttributeManifest> builtIn() {
    try (InputStream in = AttributeManifest.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("classpath resource " + BUILT_IN_RESOURCE + " is missing");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), BUILT_IN_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUILT_IN_RESOURCE, e);
    }
  }

  /**
   * Every {@code attributemanifest} document in a multi-document YAML text; other kinds are
   * skipped.
   *
   * @throws IllegalArgumentException naming {@code origin}, the document and the field at fault
   */
  public static List<AttributeManifest> parse(String yaml, String origin) {
    Load load = new Load(LoadSettings.builder().setLabel(origin).build());
    List<AttributeManifest> out = new ArrayList<>();
    int index = 0;
    for (Object doc : load.loadAllFromString(yaml)) {
      if (doc instanceof Map<?, ?> map && "attributemanifest".equals(map.get("kind"))) {
        Object metadata = map.get("metadata");
        String name = metadata instanceof Map<?, ?> m && m.get("name") != null ? m.get("name").toString() : "";
        Object spec = map.get("spec");
        List<ConfigError> errors = new ArrayList<>();
        Map<String, ValueType> attributes = fromSpec(spec instanceof Map<?, ?> s ? asStringMap(s) : Map.of(), errors);
        if (!errors.isEmpty()) {
          throw new IllegalArgumentException(origin + " (document " + index + ", attributemanifest " + name + "): " + errors);
        }
        out.add(new AttributeManifest(name, attributes));
      }
      index++;
    }
    return out;
  }

  /**
   * The attributes of an attributemanifest {@code spec}, collecting every error (field paths
   * start at {@code spec}).
   */
  public static Map<String, ValueType> fromSpec(Map<String, Object> spec, List<ConfigError> errors) {
    Map<String, ValueType> out = new LinkedHashMap<>();
    Object attributes = spec.get("attributes");
    if (!(attributes instanceof Map<?, ?> attrs)) {
      errors.add(new ConfigError("spec.attributes", "must be a map of attribute name to {valueType: …}"));
      return out;
    }
    for (Map.Entry<?, ?> e : attrs.entrySet()) {
      String field = "spec.attributes." + e.getKey();
      if (!(e.getValue() instanceof Map<?, ?> def) || !(def.get("valueType") instanceof String type)) {
        errors.add(new ConfigError(field + ".valueType", "is required (one of " + java.util.Arrays.toString(ValueType.values()) + ")"));
        continue;
      }
      try {
        out.put(e.getKey().toString(), ValueType.named(type));
      } catch (IllegalArgumentException bad) {
        errors.add(new ConfigError(field + ".valueType", bad.getMessage()));
      }
    }
    return out;
  }

  /**
   * The vocabulary of several manifests; a name declared twice must agree on its type.
   *
   * @throws IllegalArgumentException naming the attribute and both manifests
   */
  public static AttributeVocabulary vocabulary(List<AttributeManifest> manifests) {
    Map<String, ValueType> all = new LinkedHashMap<>();
    Map<String, String> declaredBy = new LinkedHashMap<>();
    for (AttributeManifest m : manifests) {
      for (Map.Entry<String, ValueType> e : m.attributes().entrySet()) {
        ValueType before = all.putIfAbsent(e.getKey(), e.getValue());
        if (before != null && before != e.getValue()) {
          throw new IllegalArgumentException("attribute " + e.getKey() + " is " + before + " in manifest "
              + declaredBy.get(e.getKey()) + " but " + e.getValue() + " in manifest " + m.name());
        }
        declaredBy.putIfAbsent(e.getKey(), m.name());
      }
    }
    return AttributeVocabulary.of(all);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asStringMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
