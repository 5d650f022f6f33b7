package io.mizzen.kernel.config;

import io.mizzen.kernel.config.ConfigProblem.Severity;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/** {@link ConfigLoader} over snakeyaml-engine's node API. */
final class YamlConfigLoader implements ConfigLoader {

  // Helm charts are templates, not YAML: "{{ .Release.Namespace }}", "{{- if ... }}".
  private static final Pattern GO_TEMPLATE = Pattern.compile("\\{\\{-?\\s*(?:[.$]|if\\b|end\\b|template\\b|range\\b|include\\b|toYaml\\b|-)");

  @Override
  public Loaded read(Path fileOrFolder) {
    if (Files.isDirectory(fileOrFolder)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(fileOrFolder)) {
        files = walk.filter(Files::isRegularFile)
            .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
      } catch (IOException | UncheckedIOException e) {
        return unreadable(fileOrFolder, e);
      }
      Loaded all = new Loaded(List.of(), List.of());
      for (Path f : files) {
        all = all.plus(read(f));
      }
      return all;
    }
    try {
      return read(fileOrFolder.toString(), Files.readString(fileOrFolder));
    } catch (java.nio.file.NoSuchFileException e) {
      return new Loaded(List.of(), List.of(new ConfigProblem(Severity.ERROR, fileOrFolder.toString(), 0, 0, "", "",
          "no such file or folder")));
    } catch (IOException | UncheckedIOException e) {
      return unreadable(fileOrFolder, e);
    }
  }

  private static Loaded unreadable(Path p, Exception e) {
    return new Loaded(List.of(), List.of(new ConfigProblem(Severity.ERROR, p.toString(), 0, 0, "", "",
        "cannot read: " + e.getMessage())));
  }

  @Override
  public Loaded read(String origin, String text) {
    List<ConfigProblem> problems = new ArrayList<>();
    List<Resource> resources = new ArrayList<>();
    var m = GO_TEMPLATE.matcher(text);
    if (m.find()) {
      int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
      problems.add(new ConfigProblem(Severity.NOTE, origin, line, 0, "", "",
          "skipped: a Go (Helm) template, not plain YAML; render it first (helm template)"));
      return new Loaded(resources, problems);
    }
    YamlDocuments.Stream stream = new YamlDocuments().read(text);
    for (YamlDocuments.Document doc : stream.documents()) {
      readDocument(origin, doc, resources, problems);
    }
    if (stream.syntaxError() != null) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, stream.errorLine(), stream.errorDocument(), "", "",
          stream.syntaxError()));
    }
    return new Loaded(resources, problems);
  }

  @SuppressWarnings("unchecked")
  private void readDocument(String origin, YamlDocuments.Document doc, List<Resource> out, List<ConfigProblem> problems) {
    if (doc.value() == null) {
      return; // an empty document, such as after a trailing "---"
    }
    Map<String, Integer> lines = doc.lines();
    if (doc.value() instanceof String text) {
      // Git symlinks checked out as plain files hold the link target, such as the Mixer test data's
      // "../../template/listentry/template.yaml": there is no resource in them to read.
      problems.add(new ConfigProblem(Severity.NOTE, origin, doc.line(), doc.index(), "", "",
          "skipped: the document is the plain text '" + text + "', not a resource (a symbolic link saved as a file?)"));
      return;
    }
    if (!(doc.value() instanceof Map<?, ?> raw)) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, doc.line(), doc.index(), "", "",
          "a resource must be a map with apiVersion, kind, metadata and spec"));
      return;
    }
    Map<String, Object> map = (Map<String, Object>) raw;
    Object apiVersion = map.get("apiVersion");
    Object kind = map.get("kind");
    if (!(apiVersion instanceof String av) || av.isEmpty() || !(kind instanceof String k) || k.isEmpty()) {
      String missing = !(apiVersion instanceof String s1) || s1.isEmpty() ? "apiVersion" : "kind";
      problems.add(new ConfigProblem(Severity.ERROR, origin, lines.getOrDefault(missing, doc.line()), doc.index(), "",
          missing, "required field '" + missing + "' is missing or not a string"));
      return;
    }
    if (k.equals("List") && map.get("items") instanceof List<?>) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, doc.line(), doc.index(), "", "items",
          "a Kubernetes List is not read; write its items as separate documents"));
      return;
    }
    ResourceKinds.Decision decision = ResourceKinds.decide(av, k);
    switch (decision.treatment()) {
      case SKIP -> {
        problems.add(new ConfigProblem(Severity.NOTE, origin, doc.line(), doc.index(), k + "/" + metaString(map, "name"),
            "", "skipped: " + decision.reason()));
        return;
      }
      case REFUSE -> {
        String field = decision.reason().startsWith("unsupported") ? "apiVersion" : "kind";
        problems.add(new ConfigProblem(Severity.ERROR, origin, lines.getOrDefault(field, doc.line()), doc.index(),
            k + "/" + metaString(map, "name"), field, decision.reason()));
        return;
      }
      default -> { }
    }
    int before = problems.size();
    Object meta = map.get("metadata");
    if (!(meta instanceof Map<?, ?>)) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, doc.line(), doc.index(), k, "metadata",
          "required field 'metadata' with a name is missing"));
      return;
    }
    String name = metaString(map, "name");
    if (name.isEmpty()) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, lines.getOrDefault("metadata", doc.line()), doc.index(),
          k, "metadata.name", "required field 'metadata.name' is missing or empty"));
    }
    Map<String, String> labels = stringMap(map, "labels", origin, doc, k, problems);
    Map<String, String> annotations = stringMap(map, "annotations", origin, doc, k, problems);
    Object spec = map.get("spec");
    if (spec != null && !(spec instanceof Map<?, ?>)) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, lines.getOrDefault("spec", doc.line()), doc.index(),
          k + "/" + name, "spec", "spec must be a map"));
    }
    for (String key : map.keySet()) {
      if (!List.of("apiVersion", "kind", "metadata", "spec", "status").contains(key)) {
        problems.add(new ConfigProblem(Severity.ERROR, origin, lines.getOrDefault(key, doc.line()), doc.index(),
            k + "/" + name, key, "unknown top-level field '" + key + "' (expected apiVersion, kind, metadata, spec)"));
      }
    }
    if (problems.size() > before) {
      return;
    }
    out.add(new Resource(av, k, name, metaString(map, "namespace"), labels, annotations,
        spec == null ? Map.of() : (Map<String, Object>) spec, new SourceLocation(origin, doc.index(), doc.line(), lines)));
  }

  @SuppressWarnings("unchecked")
  private static String metaString(Map<String, Object> doc, String field) {
    if (doc.get("metadata") instanceof Map<?, ?> meta && ((Map<String, Object>) meta).get(field) instanceof String s) {
      return s;
    }
    return "";
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> stringMap(Map<String, Object> doc, String field, String origin,
      YamlDocuments.Document at, String kind, List<ConfigProblem> problems) {
    Object raw = ((Map<String, Object>) doc.get("metadata")).get(field);
    if (raw == null) {
      return Map.of();
    }
    String path = "metadata." + field;
    if (!(raw instanceof Map<?, ?> m)) {
      problems.add(new ConfigProblem(Severity.ERROR, origin, at.lines().getOrDefault(path, at.line()), at.index(), kind,
          path, path + " must be a map of strings"));
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        String p = path + "." + e.getKey();
        problems.add(new ConfigProblem(Severity.ERROR, origin, at.lines().getOrDefault(p, at.line()), at.index(), kind,
            p, "must be a string; quote it"));
      } else {
        out.put(String.valueOf(e.getKey()), s);
      }
    }
    return out;
  }

  @Override
  public String toYaml(List<Resource> resources) {
    Dump dump = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build());
    StringBuilder out = new StringBuilder();
    for (Resource r : resources) {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("name", r.name());
      meta.put("namespace", r.namespace());
      if (!r.labels().isEmpty()) {
        meta.put("labels", new LinkedHashMap<>(r.labels()));
      }
      if (!r.annotations().isEmpty()) {
        meta.put("annotations", new LinkedHashMap<>(r.annotations()));
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("apiVersion", r.apiVersion());
      doc.put("kind", r.kind());
      doc.put("metadata", meta);
      doc.put("spec", r.spec());
      out.append("---\n").append(dump.dumpToString(doc));
    }
    return out.toString();
  }
}
