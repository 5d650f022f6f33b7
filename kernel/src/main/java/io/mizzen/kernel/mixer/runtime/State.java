package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.EvaluationMemo;
import io.mizzen.kernel.mixer.config.InstanceConfig;
import io.mizzen.kernel.mixer.config.MixerConfig;
import io.mizzen.kernel.mixer.config.RuleConfig;
import io.mizzen.kernel.mixer.config.Template;
import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.spi.mixer.ReferencedAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * One config version ready to serve: the compiled config, its handlers, for each rule what its
 * match and its check-time work read (so a Check can say what it depended on without tracking
 * reads per request), and what the whole version reads ({@code Mixer.attributesRead}); what
 * finding the quotas of a check that names none reads (the QuotaSpecs' clauses and the
 * destination service), which that check's answer references; and what a report does with each
 * rule that has report instances.
 */
record State(MixerConfig config, HandlerTable handlers, Map<String, ReferencedAttributes> matchReads,
             Map<String, ReferencedAttributes> actionReads, ReferencedAttributes read,
             ReferencedAttributes quotaPlanReads, Map<String, List<State.ReportRule>> reportScopes,
             List<String> reportHandlers, int[] reportSlots) {

  /**
   * A rule as a report sees it: the vocabulary slots its match reads (for a batch's
   * {@link EvaluationMemo}) and its actions on built handlers with report instances.
   */
  record ReportRule(RuleConfig rule, int[] matchSlots, List<ReportAction> actions) {}

  /**
   * A rule's action as a report sees it: a handler that was built (its name, and its index in
   * {@link #reportHandlers}), and its report instances with the slots each one's expressions read
   * (a bag that agrees with the batch's previous one on them gets the same instance).
   */
  record ReportAction(String handler, int handlerIndex, List<InstanceConfig> instances, int[][] instanceSlots) {}

  /** The rules with report instances that see a request to {@code namespace}, in scope order. */
  List<ReportRule> reportRulesFor(String namespace) {
    List<ReportRule> own = namespace == null ? null : reportScopes.get(namespace);
    return own != null ? own : reportScopes.get(config.rootNamespace());
  }

  static State of(MixerConfig config, HandlerTable handlers) {
    Map<String, ReferencedAttributes> match = new HashMap<>();
    Map<String, ReferencedAttributes> action = new HashMap<>();
    // What the engine reads itself: the namespace whose rules apply, the dedup id (and below, what
    // finding the quotas reads).
    Reads all = new Reads().addWhole("destination.namespace").addWhole("request.id");
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
    // What a report does with each rule, resolved once per version rather than per attribute set.
    Map<String, ReportRule> reportRules = new HashMap<>();
    List<String> reportHandlers = new ArrayList<>();
    for (RuleConfig r : config.rules()) {
      List<ReportAction> acts = new ArrayList<>();
      for (RuleConfig.Action act : r.actions()) {
        HandlerTable.Built handler = handlers.byName.get(act.handler());
        List<InstanceConfig> reports = act.instances().stream().map(config.instances()::get)
            .filter(ic -> ic.template().variety() == Template.Variety.REPORT).toList();
        if (handler != null && handler.handler() != null && !reports.isEmpty()) {
          int[][] slots = new int[reports.size()][];
          for (int i = 0; i < slots.length; i++) {
            List<ReferencedAttributes> reads = new ArrayList<>();
            reports.get(i).forEachExpression(x -> reads.add(x.references()));
            slots[i] = EvaluationMemo.slots(reads, config.vocabulary());
          }
          int index = reportHandlers.indexOf(act.handler());
          if (index < 0) {
            index = reportHandlers.size();
            reportHandlers.add(act.handler());
          }
          acts.add(new ReportAction(act.handler(), index, reports, slots));
        }
      }
      if (!acts.isEmpty()) {
        reportRules.put(r.name(), new ReportRule(r, EvaluationMemo.slots(List.of(match.get(r.name())), config.vocabulary()),
            List.copyOf(acts)));
      }
    }
    // Every slot a report's rule matches and instances (with their shared maps) read: what a
    // batch's memo compares from one bag to the next.
    int[] reportSlots = reportRules.values().stream()
        .flatMapToInt(r -> IntStream.concat(Arrays.stream(r.matchSlots()),
            r.actions().stream().flatMap(a -> Arrays.stream(a.instanceSlots())).flatMapToInt(Arrays::stream)))
        .distinct().sorted().toArray();
    Map<String, List<ReportRule>> reportScopes = new HashMap<>();
    config.scopes().forEach((namespace, rules) -> reportScopes.put(namespace,
        rules.stream().map(r -> reportRules.get(r.name())).filter(Objects::nonNull).toList()));
    return new State(config, handlers, Map.copyOf(match), Map.copyOf(action), all.build(), quotaPlanReads,
        Map.copyOf(reportScopes), List.copyOf(reportHandlers), reportSlots);
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
