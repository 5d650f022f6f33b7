package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rules: the match expression, and actions whose handler and instance references resolve as
 * Mixer resolved them: {@code name} → {@code name.handler.<ruleNamespace>} (or
 * {@code .instance.}), {@code name.kind} → {@code name.kind.<ruleNamespace>}, a three-part name
 * as is.
 */
final class RuleCompiler {
  private final ResourceCompiler c;

  RuleCompiler(ResourceCompiler c) {
    this.c = c;
  }

  RuleConfig rule(Resource r) {
    Map<String, Object> spec = r.spec();
    int before = c.errors.size();
    c.unknownFields(r, spec, "spec", Set.of("match", "actions", "requestHeaderOperations", "responseHeaderOperations", "sampling"));
    if (spec.containsKey("sampling")) {
      c.warnings.add(r.key() + ": spec.sampling is not supported yet; the rule applies to every matching request");
    }
    CompiledExpression match = null;
    Object m = spec.get("match");
    if (m != null && !m.toString().isBlank()) {
      match = (CompiledExpression) c.expression(r, "spec.match", m, ValueType.BOOL);
    }
    List<RuleConfig.Action> actions = new ArrayList<>();
    List<Object> rawActions = list(r, spec.get("actions"), "spec.actions");
    for (int i = 0; i < rawActions.size(); i++) {
      RuleConfig.Action a = action(r, rawActions.get(i), "spec.actions[" + i + "]");
      if (a != null) {
        actions.add(a);
      }
    }
    var request = headerOperations(r, spec.get("requestHeaderOperations"), "spec.requestHeaderOperations");
    var response = headerOperations(r, spec.get("responseHeaderOperations"), "spec.responseHeaderOperations");
    if (c.errors.size() != before) {
      return null;
    }
    return new RuleConfig(r.name() + ".rule." + r.namespace(), r.namespace(), match, actions, request, response, r.key());
  }

  private RuleConfig.Action action(Resource r, Object raw, String at) {
    if (!(raw instanceof Map<?, ?> rawMap)) {
      c.errors.add(ResourceError.of(r, at, "must be a map with handler and instances"));
      return null;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> a = (Map<String, Object>) rawMap;
    c.unknownFields(r, a, at, Set.of("handler", "instances", "name"));
    if (!(a.get("handler") instanceof String handlerRef) || handlerRef.isBlank()) {
      c.errors.add(ResourceError.of(r, at + ".handler", "is required"));
      return null;
    }
    String handlerName = resolve(handlerRef, "handler", r.namespace(), c.handlers.keySet());
    HandlerConfig handler = handlerName == null ? null : c.handlers.get(handlerName);
    if (handler == null) {
      c.errors.add(ResourceError.of(r, at + ".handler", "unknown handler '" + handlerRef + "' (looked for "
          + candidates(handlerRef, "handler", r.namespace()) + "; a handler refused for its own errors is unknown too)"));
    }
    List<String> instanceNames = new ArrayList<>();
    List<Object> refs = list(r, a.get("instances"), at + ".instances");
    for (int i = 0; i < refs.size(); i++) {
      String ref = String.valueOf(refs.get(i));
      String field = at + ".instances[" + i + "]";
      String name = resolve(ref, "instance", r.namespace(), c.instances.keySet());
      if (name == null) {
        c.errors.add(ResourceError.of(r, field, "unknown instance '" + ref + "' (looked for "
            + candidates(ref, "instance", r.namespace()) + "; an instance refused for its own errors is unknown too)"));
        continue;
      }
      InstanceConfig instance = c.instances.get(name);
      if (handler != null && !handler.outOfProcess()) {
        MixerAdapter adapter = c.adapter(handler.adapter());
        if (!adapter.templates().contains(instance.template().kind())) {
          c.errors.add(ResourceError.of(r, field, "handler " + handler.name() + " (adapter " + adapter.name()
              + ") does not take " + instance.template().kind() + " instances (it takes " + adapter.templates() + ")"));
          continue;
        }
      }
      instanceNames.add(name);
    }
    return handler == null ? null : new RuleConfig.Action(handler.name(), instanceNames, (String) a.get("name"));
  }

  /** RFC 9110's token: what a header name is made of. */
  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      boolean ok = ch < 128 && (Character.isLetterOrDigit(ch) || "!#$%&'*+-.^_`|~".indexOf(ch) >= 0);
      if (!ok) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  private List<RuleConfig.HeaderOperationConfig> headerOperations(Resource r, Object raw, String at) {
    List<RuleConfig.HeaderOperationConfig> out = new ArrayList<>();
    List<Object> ops = list(r, raw, at);
    for (int i = 0; i < ops.size(); i++) {
      String field = at + "[" + i + "]";
      if (!(ops.get(i) instanceof Map<?, ?> rawOp)) {
        c.errors.add(ResourceError.of(r, field, "must be a map with name, values and operation"));
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> op = (Map<String, Object>) rawOp;
      c.unknownFields(r, op, field, Set.of("name", "values", "operation"));
      if (!(op.get("name") instanceof String header) || header.isBlank()) {
        c.errors.add(ResourceError.of(r, field + ".name", "is required"));
        continue;
      }
      if (!isToken(header)) {
        c.errors.add(ResourceError.of(r, field + ".name", "'" + header + "' is not an HTTP header name"));
        continue;
      }
      if (HeaderOperation.PROTECTED.contains(header.toLowerCase(Locale.ROOT))) {
        c.errors.add(ResourceError.of(r, field + ".name", "'" + header
            + "' frames the message or belongs to the hop: the proxy sets it, a rule may not"));
        continue;
      }
      HeaderOperation.Operation operation = HeaderOperation.Operation.REPLACE;
      if (op.get("operation") != null) {
        try {
          operation = HeaderOperation.Operation.valueOf(op.get("operation").toString().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          c.errors.add(ResourceError.of(r, field + ".operation", "must be REPLACE, APPEND or REMOVE, not " + op.get("operation")));
          continue;
        }
      }
      List<CompiledExpression> values = new ArrayList<>();
      List<Object> texts = list(r, op.get("values"), field + ".values");
      for (int v = 0; v < texts.size(); v++) {
        Object x = c.expression(r, field + ".values[" + v + "]", texts.get(v), ValueType.STRING);
        if (x != null) {
          values.add((CompiledExpression) x);
        }
      }
      if (operation != HeaderOperation.Operation.REMOVE && texts.isEmpty()) {
        c.errors.add(ResourceError.of(r, field + ".values", operation + " needs at least one value"));
        continue;
      }
      out.add(new RuleConfig.HeaderOperationConfig(header, values, operation));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Resource r, Object raw, String at) {
    if (raw == null) {
      return List.of();
    }
    if (raw instanceof List<?> l) {
      return (List<Object>) l;
    }
    c.errors.add(ResourceError.of(r, at, "must be a list, not " + raw.getClass().getSimpleName()));
    return List.of();
  }

  /** The first candidate that exists, or null. */
  static String resolve(String ref, String kindWord, String namespace, Set<String> known) {
    for (String candidate : candidates(ref, kindWord, namespace)) {
      if (known.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  static List<String> candidates(String ref, String kindWord, String namespace) {
    String[] segments = ref.split("\\.");
    return switch (segments.length) {
      case 1 -> List.of(ref + "." + kindWord + "." + namespace);
      case 2 -> List.of(ref + "." + namespace, segments[0] + "." + kindWord + "." + segments[1]);
      default -> List.of(ref);
    };
  }
}
