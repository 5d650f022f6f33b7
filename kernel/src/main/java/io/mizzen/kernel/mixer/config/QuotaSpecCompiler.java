package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.config.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** QuotaSpec and QuotaSpecBinding (config.istio.io/v1alpha2, as the bookinfo samples write them). */
final class QuotaSpecCompiler {
  private final ResourceCompiler c;

  QuotaSpecCompiler(ResourceCompiler c) {
    this.c = c;
  }

  QuotaPlan plan(List<Resource> specs, List<Resource> bindings) {
    Map<String, QuotaPlan.Spec> byName = new LinkedHashMap<>();
    for (Resource r : specs) {
      QuotaPlan.Spec s = spec(r);
      if (s != null) {
        byName.put(r.namespace() + "/" + r.name(), s);
      }
    }
    List<QuotaPlan.Binding> out = new ArrayList<>();
    for (Resource r : bindings) {
      out.addAll(binding(r, byName));
    }
    return new QuotaPlan(out);
  }

  private QuotaPlan.Spec spec(Resource r) {
    int before = c.errors.size();
    c.unknownFields(r, r.spec(), "spec", Set.of("rules"));
    List<QuotaPlan.SpecRule> rules = new ArrayList<>();
    List<Map<String, Object>> rawRules = maps(r, r.spec().get("rules"), "spec.rules");
    for (int i = 0; i < rawRules.size(); i++) {
      String at = "spec.rules[" + i + "]";
      Map<String, Object> rule = rawRules.get(i);
      c.unknownFields(r, rule, at, Set.of("match", "quotas"));
      List<Map<String, QuotaPlan.StringMatch>> match = new ArrayList<>();
      List<Map<String, Object>> rawMatch = maps(r, rule.get("match"), at + ".match");
      for (int j = 0; j < rawMatch.size(); j++) {
        String mAt = at + ".match[" + j + "]";
        Map<String, Object> clauses = c.mapOrEmpty(r, rawMatch.get(j).get("clause"), mAt + ".clause");
        Map<String, QuotaPlan.StringMatch> compiled = new LinkedHashMap<>();
        if (clauses != null) {
          clauses.forEach((attr, sm) -> {
            QuotaPlan.StringMatch x = stringMatch(r, sm, mAt + ".clause." + attr);
            if (x != null) {
              compiled.put(attr, x);
            }
          });
        }
        match.add(compiled);
      }
      Map<String, Long> quotas = new LinkedHashMap<>();
      List<Map<String, Object>> rawQuotas = maps(r, rule.get("quotas"), at + ".quotas");
      for (int j = 0; j < rawQuotas.size(); j++) {
        String qAt = at + ".quotas[" + j + "]";
        Map<String, Object> q = rawQuotas.get(j);
        c.unknownFields(r, q, qAt, Set.of("quota", "charge"));
        if (!(q.get("quota") instanceof String name) || name.isBlank()) {
          c.errors.add(ResourceError.of(r, qAt + ".quota", "is required"));
          continue;
        }
        long charge = 1;
        if (q.get("charge") != null) {
          if (!(q.get("charge") instanceof Number n) || n.longValue() <= 0) {
            c.errors.add(ResourceError.of(r, qAt + ".charge", "must be a positive integer, not " + q.get("charge")));
            continue;
          }
          charge = n.longValue();
        }
        quotas.put(name, charge);
      }
      rules.add(new QuotaPlan.SpecRule(match, quotas));
    }
    return c.errors.size() == before ? new QuotaPlan.Spec(r.namespace() + "/" + r.name(), rules) : null;
  }

  private QuotaPlan.StringMatch stringMatch(Resource r, Object raw, String at) {
    if (!(raw instanceof Map<?, ?> m) || m.size() != 1) {
      c.errors.add(ResourceError.of(r, at, "must have exactly one of exact, prefix, regex"));
      return null;
    }
    Object value = m.values().iterator().next();
    String kind = String.valueOf(m.keySet().iterator().next());
    String v = String.valueOf(value);
    switch (kind) {
      case "exact":
        return new QuotaPlan.StringMatch(v, null, null);
      case "prefix":
        return new QuotaPlan.StringMatch(null, v, null);
      case "regex":
        try {
          return new QuotaPlan.StringMatch(null, null, Pattern.compile(v));
        } catch (PatternSyntaxException e) {
          c.errors.add(ResourceError.of(r, at + ".regex", "invalid regular expression: " + e.getDescription()));
          return null;
        }
      default:
        c.errors.add(ResourceError.of(r, at + "." + kind, "unknown match kind (exact, prefix, regex)"));
        return null;
    }
  }

  private List<QuotaPlan.Binding> binding(Resource r, Map<String, QuotaPlan.Spec> specs) {
    int before = c.errors.size();
    c.unknownFields(r, r.spec(), "spec", Set.of("quotaSpecs", "services"));
    List<QuotaPlan.Spec> bound = new ArrayList<>();
    List<Map<String, Object>> refs = maps(r, r.spec().get("quotaSpecs"), "spec.quotaSpecs");
    for (int i = 0; i < refs.size(); i++) {
      Object name = refs.get(i).get("name");
      String ns = refs.get(i).get("namespace") instanceof String s ? s : r.namespace();
      QuotaPlan.Spec spec = specs.get(ns + "/" + name);
      if (spec == null) {
        c.errors.add(ResourceError.of(r, "spec.quotaSpecs[" + i + "]", "unknown QuotaSpec " + ns + "/" + name));
      } else {
        bound.add(spec);
      }
    }
    List<QuotaPlan.Binding> out = new ArrayList<>();
    List<Map<String, Object>> services = maps(r, r.spec().get("services"), "spec.services");
    for (int i = 0; i < services.size(); i++) {
      Map<String, Object> s = services.get(i);
      c.unknownFields(r, s, "spec.services[" + i + "]", Set.of("name", "namespace", "service", "domain", "labels"));
      String name = s.get("service") instanceof String svc ? svc : s.get("name") instanceof String n ? n : null;
      if (name == null) {
        c.errors.add(ResourceError.of(r, "spec.services[" + i + "].name", "is required (or service: '*')"));
        continue;
      }
      // A service written without a namespace is matched in every namespace: the bookinfo
      // ratings sample binds bare names from istio-system and means the bookinfo services.
      String ns = s.get("namespace") instanceof String n ? n : null;
      out.add(new QuotaPlan.Binding(ns, name, bound));
    }
    return c.errors.size() == before ? out : List.of();
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> maps(Resource r, Object raw, String at) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> l)) {
      c.errors.add(ResourceError.of(r, at, "must be a list"));
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i) instanceof Map<?, ?> m) {
        out.add((Map<String, Object>) m);
      } else {
        c.errors.add(ResourceError.of(r, at + "[" + i + "]", "must be a map"));
      }
    }
    return out;
  }
}
