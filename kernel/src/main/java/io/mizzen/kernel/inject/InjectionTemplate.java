package io.mizzen.kernel.inject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What injection adds to a pod: init containers, containers, volumes and pod annotations, as
 * plain YAML with {@code ${name}} placeholders in string values (see {@link InjectionValues} for
 * the names). A scalar that is exactly one placeholder takes the value's type, so
 * {@code containerPort: ${statusPort}} stays a number.
 *
 * <p>The file may also be an Istio-style injector config: a map with a {@code template} string,
 * which then holds the template.
 *
 * @param body    the parsed template, never modified
 * @param version SHA-256 of the template text, recorded in the status annotation
 * @param source  where the template came from, for messages
 */
public record InjectionTemplate(Map<String, Object> body, String version, String source) {

  /** The template shipped with Mizzen, on the classpath beside this class. */
  public static final String DEFAULT_RESOURCE = "injection-template.yaml";

  static final Set<String> SECTIONS = Set.of("initContainers", "containers", "volumes", "annotations");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9]*)}");

  public InjectionTemplate {
    body = Map.copyOf(body);
  }

  /** The default template; an I/O failure here means a broken jar and is reported as such. */
  public static InjectionTemplate defaults() {
    try (InputStream in = InjectionTemplate.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new InjectionException("classpath resource io/mizzen/kernel/inject/" + DEFAULT_RESOURCE + " is missing");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + DEFAULT_RESOURCE);
    } catch (IOException e) {
      throw new InjectionException("cannot read classpath:" + DEFAULT_RESOURCE + ": " + e.getMessage(), e);
    }
  }

  /** Reads a user template (blocking file I/O: call from a CLI thread or executeBlocking). */
  public static InjectionTemplate load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new InjectionException(file + ": cannot read injection template: " + e.getMessage(), e);
    }
  }

  /** Parses and validates template text: unknown sections and wrong shapes are refused. */
  public static InjectionTemplate parse(String text, String source) {
    Object parsed;
    try {
      parsed = KubeYaml.loader(source).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new InjectionException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    if (parsed instanceof Map<?, ?> config && config.get("template") instanceof String inner) {
      // Istio's sidecar-injector ConfigMap shape: {policy: ..., template: "<yaml>"}
      return parse(inner, source + " (template)");
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw new InjectionException(source + ": an injection template must be a YAML map with "
          + SECTIONS + ", got " + describe(parsed));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      if (!SECTIONS.contains(key)) {
        throw new InjectionException(source + ": unknown template section '" + key + "' (allowed: "
            + SECTIONS + ")");
      }
      boolean wantsMap = key.equals("annotations");
      if (e.getValue() != null && (wantsMap ? !(e.getValue() instanceof Map) : !(e.getValue() instanceof List))) {
        throw new InjectionException(source + ": template section '" + key + "' must be a "
            + (wantsMap ? "map" : "list") + ", got " + describe(e.getValue()));
      }
      if (!wantsMap && e.getValue() != null) {
        List<?> items = (List<?>) e.getValue();
        for (int i = 0; i < items.size(); i++) {
          if (!(items.get(i) instanceof Map<?, ?> item) || !(item.get("name") instanceof String)) {
            throw new InjectionException(source + ": " + key + "[" + i + "] must be a map with a string 'name'");
          }
        }
      }
      if (e.getValue() != null) {
        body.put(key, e.getValue());
      }
    }
    return new InjectionTemplate(body, sha256(text), source);
  }

  /** The section as a fresh, rendered list of maps (empty when the template lacks it). */
  List<Map<String, Object>> renderList(String section, Map<String, Object> values) {
    Object rendered = render(body.getOrDefault(section, List.of()), values, section);
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : (List<?>) rendered) {
      out.add(castMap(o));
    }
    return out;
  }

  /** The annotations section, rendered, values as strings (Kubernetes annotations are strings). */
  Map<String, String> renderAnnotations(Map<String, Object> values) {
    Map<String, String> out = new LinkedHashMap<>();
    Object rendered = render(body.getOrDefault("annotations", Map.of()), values, "annotations");
    ((Map<?, ?>) rendered).forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    return out;
  }

  private Object render(Object node, Map<String, Object> values, String path) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), render(v, values, path + "." + k)));
      return out;
    }
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(render(list.get(i), values, path + "[" + i + "]"));
      }
      return out;
    }
    if (node instanceof String s) {
      Matcher whole = PLACEHOLDER.matcher(s);
      if (whole.matches()) {
        return lookup(whole.group(1), values, path);
      }
      Matcher m = PLACEHOLDER.matcher(s);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(lookup(m.group(1), values, path))));
      }
      m.appendTail(sb);
      return sb.toString();
    }
    return node;
  }

  private Object lookup(String name, Map<String, Object> values, String path) {
    if (!values.containsKey(name)) {
      throw new InjectionException(source + ": " + path + ": unknown placeholder ${" + name
          + "} (known: " + new java.util.TreeSet<>(values.keySet()) + ")");
    }
    return values.get(name);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  static String describe(Object o) {
    if (o == null) {
      return "nothing";
    }
    if (o instanceof Map) {
      return "a map";
    }
    if (o instanceof List) {
      return "a list";
    }
    return "'" + o + "' (" + o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
