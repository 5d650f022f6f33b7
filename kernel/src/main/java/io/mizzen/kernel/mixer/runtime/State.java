package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.EvaluationMemo;
import io.mizzen.kernel.mixer.config.InstanceConfig;
import io.mizzen.kernel.mixer.config.MixerConfig;
import io.mizzen.kernel.mixer.config.RuleConfig;
import io.mizzen.kernel.mixer.config.Template;
import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.spi.mixer.ReferencedAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One config version ready to serve: the compiled config, its handlers, for each rule what its
 * match and its check-time work read (so a Check can say what it depended on without tracking
 * reads per request), and what the whole version reads ({@code Mixer.attributesRead}); each
 * rule's match reads also as vocabulary slots, for a report batch's {@link EvaluationMemo}; and
 * what finding the quotas of a check that names none reads (the QuotaSpecs' clauses and the
 * destination service), which that check's answer references; and what a report does with each
 * rule (its built handlers and their report instances).
 */
record State(MixerConfig config, HandlerTable handlers, Map<String, ReferencedAttributes> matchReads,
             Map<String, ReferencedAttributes> actionReads, ReferencedAttributes read, Map<String, int[]> matchSlots,
             ReferencedAttributes quotaPlanReads, Map<String, List<State.ReportAction>> reportActions) {

  /** A rule's action as a report sees it: a handler that was built, and its report instances. */
  record ReportAction(String handler, List<InstanceConfig> instances) {}

  static State of(MixerConfig config, HandlerTable handlers) {
    Map<String, ReferencedAttributes> match = new HashMap<>();
    Map<String, ReferencedAttributes> action = new HashMap<>();
    // What the engine reads itself: the namespace whose rules apply, the QuotaPlan's service, the dedup id.
    Reads all = new Reads().addWhole("destination.namespace").addWhole("destination.service.namespace")
        .addWhole("destination.service.name").addWhole("destination.service.host").addWhole("request.id");
    // What a check that names no quota reads to find the quotas its QuotaSpecs charge.
    Reads plan = new Reads().addWhole("destination.service.name").addWhole("destination.service.namespace")
        .addWhole("destination.service.host");
    config.quotaPlan().forEachRead((attribute, key) -> {
      if (key == null) {
        plan.addWhole(attribute);
      } else {
        plan.addKey(attribute, key);
      }
    });
    ReferencedAttributes quotaPlanReads = plan.build();
    all.add(quotaPlanReads);
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
          } else {
            ic.forEachExpression((CompiledExpression x) -> all.add(x.references()));
          }
        }
      }
      action.put(r.name(), a.build());
      all.add(match.get(r.name())).add(action.get(r.name()));
    }
    Map<String, int[]> slots = new HashMap<>();
    match.forEach((rule, reads) -> slots.put(rule, EvaluationMemo.slots(List.of(reads), config.vocabulary())));
    // What a report does with each rule, resolved once per version rather than per attribute set.
    Map<String, List<ReportAction>> reportActions = new HashMap<>();
    for (RuleConfig r : config.rules()) {
      List<ReportAction> acts = new java.util.ArrayList<>();
      for (RuleConfig.Action act : r.actions()) {
        HandlerTable.Built handler = handlers.byName.get(act.handler());
        List<InstanceConfig> reports = act.instances().stream().map(config.instances()::get)
            .filter(ic -> ic.template().variety() == Template.Variety.REPORT).toList();
        if (handler != null && handler.handler() != null && !reports.isEmpty()) {
          acts.add(new ReportAction(act.handler(), reports));
        }
      }
      if (!acts.isEmpty()) {
        reportActions.put(r.name(), List.copyOf(acts));
      }
    }
    return new State(config, handlers, Map.copyOf(match), Map.copyOf(action), all.build(), Map.copyOf(slots),
        quotaPlanReads, Map.copyOf(reportActions));
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

    Reads addKey(String attribute, String key) {
      keys.computeIfAbsent(attribute, ignored -> new LinkedHashSet<>()).add(key);
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
