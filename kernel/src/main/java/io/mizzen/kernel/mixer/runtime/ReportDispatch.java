package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.EvaluationMemo;
import io.mizzen.kernel.mixer.config.InstanceConfig;
import io.mizzen.kernel.mixer.config.RuleConfig;
import io.mizzen.kernel.mixer.expr.EvaluationException;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.Instance;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Report batch: for every attribute set, the report instances of the matching rules, grouped
 * by handler so each handler receives one call per batch.
 */
final class ReportDispatch {
  private ReportDispatch() {}

  static Future<Void> run(Engine engine, State state, List<AttributeBag> batch) {
    Map<String, List<Instance>> byHandler = new LinkedHashMap<>();
    // Rule matches and shared map fields (a metric set's dimensions) are worked out once for the
    // bags of the batch that agree on what they read.
    EvaluationMemo memo = new EvaluationMemo();
    for (AttributeBag raw : batch) {
      AttributeBag bag = raw.rebase(state.config().vocabulary());
      String namespace = Engine.namespaceOf(bag, null);
      for (RuleConfig rule : state.config().rulesFor(namespace)) {
        // Rules with no report instance on a working handler are not even matched.
        State.ReportRule report = state.reportRules().get(rule.name());
        if (report == null || !engine.matches(rule, bag, memo, report.matchSlots())) {
          continue;
        }
        for (State.ReportAction action : report.actions()) {
          List<Instance> out = null;
          for (InstanceConfig ic : action.instances()) {
            try {
              Instance instance = ic.build(bag, memo);
              if (out == null) {
                out = byHandler.computeIfAbsent(action.handler(), k -> new ArrayList<>());
              }
              out.add(instance);
            } catch (EvaluationException e) {
              engine.stats(action.handler()).errors.increment();
              engine.expressionErrors.increment();
            }
          }
        }
      }
    }
    List<Future<Void>> calls = new ArrayList<>();
    byHandler.forEach((name, instances) -> {
      HandlerTable.Built handler = state.handlers().byName.get(name);
      calls.add(engine.deadline().call(name, engine.stats(name), () -> handler.handler().report(List.copyOf(instances))));
    });
    // Failures are counted by the deadline; a report is never refused for a handler's sake.
    return Future.join(calls).otherwiseEmpty().mapEmpty();
  }
}
