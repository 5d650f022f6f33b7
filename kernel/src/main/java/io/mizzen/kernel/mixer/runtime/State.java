package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.InstanceConfig;
import io.mizzen.kernel.mixer.config.MixerConfig;
import io.mizzen.kernel.mixer.config.RuleConfig;
import io.mizzen.kernel.mixer.config.Template;
import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.spi.mixer.ReferencedAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One config version ready to serve: the compiled config, its handlers, and for each rule what
 * its match and its check-time work read (so a Check can say what it depended on without
 * tracking reads per request).
 */
record State(MixerConfig config, HandlerTable handlers, Map<String, ReferencedAttributes> matchReads,
             Map<String, ReferencedAttributes> actionReads) {

  static State of(MixerConfig config, HandlerTable handlers) {
    Map<String, ReferencedAttributes> match = new HashMap<>();
    Map<String, ReferencedAttributes> action = new HashMap<>();
    for (RuleConfig r : config.rules()) {
      Reads m = new Reads();
      if (r.match() != null) {
        m.add(r.match().references());
      }
      match.put(r.name(), m.build());
      Reads a = new Reads();
      r.requestHeaderOperations().forEach(op -> op.values().forEach(v -> a.add(v.references())));
      r.responseHeaderOperations().forEach(op -> op.values().forEach(v -> a.add(v.references())));
      for (RuleConfig.Action act : r.actions()) {
        for (String name : act.instances()) {
          InstanceConfig ic = config.instances().get(name);
          if (ic.template().variety() != Template.Variety.REPORT) {
            ic.forEachExpression((CompiledExpression x) -> a.add(x.references()));
          }
        }
      }
      action.put(r.name(), a.build());
    }
    return new State(config, handlers, Map.copyOf(match), Map.copyOf(action));
  }

  /** Accumulates referenced attributes: whole attributes win over individual keys. */
  static final class Reads {
    final Set<String> whole = new LinkedHashSet<>();
    final Map<String, Set<String>> keys = new LinkedHashMap<>();

    Reads add(ReferencedAttributes r) {
      whole.addAll(r.attributes());
      r.mapKeys().forEach((k, v) -> keys.computeIfAbsent(k, ignored -> new LinkedHashSet<>()).addAll(v));
      return this;
    }

    Reads addWhole(String attribute) {
      whole.add(attribute);
      return this;
    }

    ReferencedAttributes build() {
      Map<String, Set<String>> onlyKeys = new LinkedHashMap<>(keys);
      onlyKeys.keySet().removeAll(whole);
      return new ReferencedAttributes(whole, onlyKeys);
    }
  }
}
