package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.AttributeManifest;
import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.kernel.mixer.expr.ExpressionCompiler;
import io.mizzen.kernel.mixer.expr.ExpressionException;
import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One compilation: manifests first (they make the vocabulary), then handlers and instances, then
 * the rules that tie them, then quota specs and bindings.
 */
final class ResourceCompiler {
  static final String GROUP = "config.istio.io";
  /** Descriptor kinds Mizzen accepts and does not act on (Istio's adapter and template info). */
  private static final Set<String> DESCRIPTORS = Set.of("adapter", "template");

  private final String rootNamespace;
  private final Map<String, MixerAdapter> adapters;
  private final long version;
  private final List<AttributeManifest> base;
  final List<ResourceError> errors = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();
  final Map<String, HandlerConfig> handlers = new LinkedHashMap<>();
  final Map<String, InstanceConfig> instances = new LinkedHashMap<>();
  ExpressionCompiler expressions;
  private final Map<Map<String, String>, SharedMap> internedMaps = new java.util.HashMap<>();
  private AttributeVocabulary vocabulary;

  ResourceCompiler(String rootNamespace, Map<String, MixerAdapter> adapters, List<AttributeManifest> base, long version) {
    this.rootNamespace = rootNamespace;
    this.adapters = adapters;
    this.base = base;
    this.version = version;
  }

  MixerConfigCompiler.Compilation compile(List<Resource> all) {
    List<Resource> resources = all.stream().filter(r -> GROUP.equals(r.group())).toList();
    vocabulary = vocabulary(resources);
    expressions = ExpressionCompiler.of(vocabulary);
    List<Resource> rules = new ArrayList<>();
    List<Resource> quotaSpecs = new ArrayList<>();
    List<Resource> bindings = new ArrayList<>();
    for (Resource r : resources) {
      String kind = r.kind();
      if (kind.equals("attributemanifest") || DESCRIPTORS.contains(kind)) {
        continue;
      } else if (kind.equals("rule")) {
        rules.add(r);
      } else if (kind.equals("QuotaSpec")) {
        quotaSpecs.add(r);
      } else if (kind.equals("QuotaSpecBinding")) {
        bindings.add(r);
      } else if (kind.equals("handler")) {
        handler(r);
      } else if (kind.equals("instance")) {
        instance(r);
      } else if (Template.named(kind) != null) {
        legacyInstance(r, Template.named(kind));
      } else if (adapters.containsKey(kind)) {
        legacyHandler(r);
      } else {
        errors.add(ResourceError.of(r, "kind", "unknown kind '" + kind + "': neither a template (" + templateNames()
            + ") nor an installed adapter (" + new TreeSet<>(adapters.keySet()) + ")"));
      }
    }
    RuleCompiler ruleCompiler = new RuleCompiler(this);
    List<RuleConfig> compiledRules = new ArrayList<>();
    for (Resource r : rules) {
      RuleConfig rule = ruleCompiler.rule(r);
      if (rule != null) {
        compiledRules.add(rule);
      }
    }
    QuotaPlan plan = new QuotaSpecCompiler(this).plan(quotaSpecs, bindings);
    MixerConfig config = MixerConfig.of(version, vocabulary, rootNamespace, handlers, instances, compiledRules, plan, warnings);
    return new MixerConfigCompiler.Compilation(config, errors);
  }

  private AttributeVocabulary vocabulary(List<Resource> resources) {
    List<AttributeManifest> manifests = new ArrayList<>(base);
    for (Resource r : resources) {
      if (r.kind().equals("attributemanifest")) {
        List<ConfigError> problems = new ArrayList<>();
        Map<String, ValueType> attrs = AttributeManifest.fromSpec(r.spec(), problems);
        if (!problems.isEmpty()) {
          problems.forEach(p -> errors.add(ResourceError.of(r, p.field(), p.message())));
          continue;
        }
        AttributeManifest m = new AttributeManifest(r.name() + "." + r.namespace(), attrs);
        try {
          List<AttributeManifest> with = new ArrayList<>(manifests);
          with.add(m);
          AttributeManifest.vocabulary(with);
          manifests.add(m);
        } catch (IllegalArgumentException conflict) {
          errors.add(ResourceError.of(r, "spec.attributes", conflict.getMessage()));
        }
      }
    }
    return AttributeManifest.vocabulary(manifests);
  }

  private void handler(Resource r) {
    Map<String, Object> spec = r.spec();
    if (!unknownFields(r, spec, "spec", Set.of("compiledAdapter", "adapter", "params", "connection"))) {
      return;
    }
    String name = r.name() + ".handler." + r.namespace();
    Map<String, Object> params = mapOrEmpty(r, spec.get("params"), "spec.params");
    if (params == null) {
      return;
    }
    String address = null;
    if (spec.get("connection") != null) {
      if (!(spec.get("connection") instanceof Map<?, ?> conn) || !(conn.get("address") instanceof String a) || a.isBlank()) {
        errors.add(ResourceError.of(r, "spec.connection.address", "an out-of-process handler needs a gRPC address (host:port)"));
        return;
      }
      address = a;
    }
    String compiled = spec.get("compiledAdapter") instanceof String s ? s : null;
    String adapter = spec.get("adapter") instanceof String s ? s : null;
    if (address != null) {
      if (adapter == null) {
        errors.add(ResourceError.of(r, "spec.adapter", "an out-of-process handler names its adapter"));
        return;
      }
      warnings.add(r.key() + ": out-of-process handler " + name + " (adapter " + adapter + " at " + address
          + ") is loaded but inactive: Mizzen does not call out-of-process adapters yet");
      handlers.put(name, new HandlerConfig(name, adapter, params, address, r.key()));
      return;
    }
    String adapterName = compiled != null ? compiled : adapter;
    String field = compiled != null ? "spec.compiledAdapter" : "spec.adapter";
    if (adapterName == null) {
      errors.add(ResourceError.of(r, "spec.compiledAdapter", "is required (or spec.adapter with spec.connection.address)"));
      return;
    }
    addHandler(r, name, adapterName, params, field, "spec.params");
  }

  private void legacyHandler(Resource r) {
    addHandler(r, r.name() + "." + r.kind() + "." + r.namespace(), r.kind(), r.spec(), "kind", "spec");
  }

  private void addHandler(Resource r, String name, String adapterName, Map<String, Object> params, String adapterField,
                          String paramsField) {
    MixerAdapter adapter = adapters.get(adapterName);
    if (adapter == null) {
      errors.add(ResourceError.of(r, adapterField, "unknown adapter '" + adapterName + "' (installed: "
          + new TreeSet<>(adapters.keySet()) + ")"));
      return;
    }
    List<ConfigError> problems = adapter.validate(params);
    if (!problems.isEmpty()) {
      problems.forEach(p -> errors.add(ResourceError.of(r, p.field().isEmpty() ? paramsField : paramsField + "." + p.field(), p.message())));
      return;
    }
    handlers.put(name, new HandlerConfig(name, adapterName, params, null, r.key()));
  }

  private void instance(Resource r) {
    Map<String, Object> spec = r.spec();
    if (!unknownFields(r, spec, "spec", Set.of("compiledTemplate", "template", "params", "attributeBindings", "attribute_bindings"))) {
      return;
    }
    String kind = spec.get("compiledTemplate") instanceof String s ? s : spec.get("template") instanceof String s2 ? s2 : null;
    String field = spec.get("compiledTemplate") != null ? "spec.compiledTemplate" : "spec.template";
    if (kind == null) {
      errors.add(ResourceError.of(r, "spec.compiledTemplate", "is required (one of " + templateNames() + ")"));
      return;
    }
    Template template = Template.named(kind);
    if (template == null) {
      errors.add(ResourceError.of(r, field, "unknown template '" + kind + "' (known: " + templateNames() + ")"));
      return;
    }
    if (spec.containsKey("attributeBindings") || spec.containsKey("attribute_bindings")) {
      errors.add(ResourceError.of(r, "spec.attributeBindings", "attribute-producing instances are not supported"));
      return;
    }
    Map<String, Object> params = mapOrEmpty(r, spec.get("params"), "spec.params");
    if (params != null) {
      addInstance(r, r.name() + ".instance." + r.namespace(), template, params, "spec.params");
    }
  }

  private void legacyInstance(Resource r, Template template) {
    addInstance(r, r.name() + "." + r.kind() + "." + r.namespace(), template, r.spec(), "spec");
  }

  private void addInstance(Resource r, String name, Template template, Map<String, Object> params, String at) {
    int before = errors.size();
    Map<String, Object> fields = fields(r, template.fields(), params, at, template.kind());
    if (errors.size() == before) {
      instances.put(name, new InstanceConfig(name, template, fields, r.key()));
    }
  }

  private Map<String, Object> fields(Resource r, Map<String, Template.Field> schema, Map<String, Object> params, String at,
                                     String what) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : params.entrySet()) {
      String path = at + "." + e.getKey();
      Map.Entry<String, Template.Field> f = Template.field(schema, e.getKey());
      if (f == null) {
        errors.add(ResourceError.of(r, path, "unknown field for " + what + " (fields: " + new TreeSet<>(schema.keySet()) + ")"));
        continue;
      }
      Template.Field field = f.getValue();
      switch (field.shape()) {
        case SCALAR -> {
          Object compiled = expression(r, path, e.getValue(), field.type());
          if (compiled != null) {
            out.put(f.getKey(), compiled);
          }
        }
        case MAP -> {
          Map<String, Object> entries = mapOrEmpty(r, e.getValue(), path);
          if (entries != null) {
            Map<String, Object> compiled = new LinkedHashMap<>();
            entries.forEach((k, v) -> {
              Object x = expression(r, path + "." + k, v, null);
              if (x != null) {
                compiled.put(k, x);
              }
            });
            out.put(f.getKey(), intern(compiled));
          }
        }
        case OBJECT -> {
          Map<String, Object> nested = mapOrEmpty(r, e.getValue(), path);
          if (nested != null) {
            out.put(f.getKey(), fields(r, field.fields(), nested, path, f.getKey()));
          }
        }
        default -> throw new IllegalStateException("unknown field shape " + field.shape());
      }
    }
    return out;
  }

  /**
   * The one compiled map for these entries: instances whose map fields read the same
   * expressions (Istio's four HTTP metrics share 19 dimensions) share one object, so a report
   * evaluates it once per request for all of them, and once for the bags of a batch that agree
   * on what it reads ({@link EvaluationMemo}).
   */
  private SharedMap intern(Map<String, Object> compiled) {
    Map<String, String> texts = new LinkedHashMap<>();
    Map<String, CompiledExpression> expressions = new LinkedHashMap<>();
    compiled.forEach((k, v) -> {
      texts.put(k, ((CompiledExpression) v).text());
      expressions.put(k, (CompiledExpression) v);
    });
    return internedMaps.computeIfAbsent(texts, t -> new SharedMap(expressions, vocabulary));
  }

  /** Compiles one expression field, or records the error and returns null. */
  Object expression(Resource r, String path, Object text, ValueType type) {
    if (text == null || text instanceof Map || text instanceof List) {
      errors.add(ResourceError.of(r, path, "must be an expression (a string), not " + (text == null ? "empty" : text.getClass().getSimpleName())));
      return null;
    }
    try {
      return type == null ? expressions.compile(text.toString()) : expressions.compile(text.toString(), type);
    } catch (ExpressionException e) {
      errors.add(ResourceError.of(r, path, e.getMessage()));
      return null;
    }
  }

  /** Checks that {@code map} has only {@code allowed} keys; records errors and returns false if not. */
  boolean unknownFields(Resource r, Map<String, Object> map, String at, Set<String> allowed) {
    boolean ok = true;
    for (String k : map.keySet()) {
      if (!allowed.contains(k)) {
        errors.add(ResourceError.of(r, at + "." + k, "unknown field (allowed: " + new TreeSet<>(allowed) + ")"));
        ok = false;
      }
    }
    return ok;
  }

  /** {@code value} as a map ({@code null} → empty), or records an error and returns null. */
  @SuppressWarnings("unchecked")
  Map<String, Object> mapOrEmpty(Resource r, Object value, String path) {
    if (value == null) {
      return Map.of();
    }
    if (value instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    errors.add(ResourceError.of(r, path, "must be a map, not " + value.getClass().getSimpleName()));
    return null;
  }

  private static String templateNames() {
    List<String> names = new ArrayList<>();
    for (Template t : Template.values()) {
      names.add(t.kind());
    }
    return names.toString();
  }

  MixerAdapter adapter(String name) {
    return adapters.get(name);
  }
}
