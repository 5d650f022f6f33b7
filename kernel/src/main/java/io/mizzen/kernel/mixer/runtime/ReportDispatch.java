package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.EvaluationMemo;
import io.mizzen.kernel.mixer.config.InstanceConfig;
import io.mizzen.kernel.mixer.expr.EvaluationException;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.Instance;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * One Report batch: for every attribute set, the report instances of the matching rules, grouped
 * by handler so each handler receives one call per batch. An instance whose expressions read the
 * same values as in the batch's previous bag is that bag's instance again (the same object):
 * requests of one proxy mostly differ in a duration or a size, so of Istio's standard metrics
 * usually only the one reading what changed is built anew.
 */
final class ReportDispatch {
  private ReportDispatch() {}

  static Future<Void> run(Engine engine, State state, List<AttributeBag> batch) {
    if (state.reportHandlers().isEmpty()) {
      // No rule has a report instance on a working handler: nothing to match or build.
      return Future.succeededFuture();
    }
    // By handler index (State.reportHandlers): one list per handler the batch reaches.
    @SuppressWarnings("unchecked")
    List<Instance>[] byHandler = new List[state.reportHandlers().size()];
    // Rule matches, shared map fields (a metric set's dimensions) and whole instances are worked
    // out once for the bags of the batch that agree on what they read.
    EvaluationMemo memo = new EvaluationMemo(state.reportSlots());
    // A proxy's bags share one namespace string: its rules are looked up again only when it changes.
    String namespace = null;
    List<State.ReportRule> rules = state.reportRulesFor(null);
    AttributeVocabulary vocabulary = state.config().vocabulary();
    int destinationNamespace = vocabulary.indexOf("destination.namespace");
    int serviceNamespace = vocabulary.indexOf("destination.service.namespace");
    for (AttributeBag raw : batch) {
      AttributeBag bag = raw.rebase(vocabulary);
      memo.next(bag);
      String ns = Engine.namespaceOf(bag, destinationNamespace, serviceNamespace);
      if (ns != namespace) {
        namespace = ns;
        rules = state.reportRulesFor(ns);
      }
      // Rules with no report instance on a working handler are not even matched.
      for (State.ReportRule report : rules) {
        if (!engine.matches(report.rule(), bag, memo, report.matchSlots())) {
          continue;
        }
        for (State.ReportAction action : report.actions()) {
          List<InstanceConfig> instances = action.instances();
          for (int i = 0; i < instances.size(); i++) {
            InstanceConfig ic = instances.get(i);
            try {
              Instance instance = memo.get(ic, action.instanceSlots()[i], bag, InstanceConfig::build);
              List<Instance> out = byHandler[action.handlerIndex()];
              if (out == null) {
                out = byHandler[action.handlerIndex()] = new ArrayList<>();
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
    for (int h = 0; h < byHandler.length; h++) {
      if (byHandler[h] != null) {
        String name = state.reportHandlers().get(h);
        List<Instance> instances = List.copyOf(byHandler[h]);
        HandlerTable.Built handler = state.handlers().byName.get(name);
        calls.add(engine.deadline().call(name, engine.stats(name), () -> handler.handler().report(instances)));
      }
    }
    // Failures are counted by the deadline; a report is never refused for a handler's sake.
    return Future.join(calls).otherwiseEmpty().mapEmpty();
  }
}
