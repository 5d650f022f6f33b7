package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.InstanceConfig;
import io.mizzen.kernel.mixer.config.RuleConfig;
import io.mizzen.kernel.mixer.config.Template;
import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.kernel.mixer.expr.EvaluationException;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.QuotaArgs;
import io.mizzen.spi.mixer.QuotaResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One Check: match the rules in scope, build the check and quota instances of the matching ones,
 * call their handlers (each under the deadline), and fold the answers. Every handler outcome is
 * turned into a value here (failures by the fail policy), so the combined Future never fails.
 */
final class CheckDispatch {
  private final Engine engine;
  private final State state;
  private final AttributeBag bag;
  private final Map<String, Instance> built = new HashMap<>();
  private final List<Future<CheckResult>> checks = new ArrayList<>();
  private final Map<String, Future<QuotaResult>> quotaGrants = new LinkedHashMap<>();
  private final List<HeaderOperation> requestOps = new ArrayList<>();
  private final List<HeaderOperation> responseOps = new ArrayList<>();
  private final State.Reads reads = new State.Reads();

  CheckDispatch(Engine engine, State state, AttributeBag bag) {
    this.engine = engine;
    this.state = state;
    this.bag = bag;
  }

  Future<CheckResponse> run(CheckRequest request) {
    String namespace = Engine.namespaceOf(bag, reads);
    Map<String, QuotaArgs> quotas = request.quotas();
    if (quotas.isEmpty()) {
      // A random id only when a QuotaSpec may charge this request: UUID.randomUUID() goes
      // through SecureRandom's lock, which every event loop would otherwise queue on.
      String dedup = bag.get("request.id") instanceof String id ? id
          : state.config().quotaPlan().isEmpty() ? "" : UUID.randomUUID().toString();
      quotas = state.config().quotaPlan().quotasFor(bag, dedup);
      reads.add(state.quotaPlanReads());
    }
    for (RuleConfig rule : state.config().rulesFor(namespace)) {
      reads.add(state.matchReads().get(rule.name()));
      if (!engine.matches(rule, bag)) {
        continue;
      }
      reads.add(state.actionReads().get(rule.name()));
      headerOperations(rule.requestHeaderOperations(), requestOps);
      headerOperations(rule.responseHeaderOperations(), responseOps);
      for (RuleConfig.Action action : rule.actions()) {
        HandlerTable.Built handler = state.handlers().byName.get(action.handler());
        for (String name : action.instances()) {
          dispatch(handler, state.config().instances().get(name), quotas);
        }
      }
    }
    // A quota asked for that no rule handles is granted in full, as Mixer did.
    for (Map.Entry<String, QuotaArgs> q : quotas.entrySet()) {
      quotaGrants.putIfAbsent(q.getKey(), Future.succeededFuture(
          new QuotaResult(q.getValue().amount(), engine.options().defaultValidDuration())));
    }
    List<Future<?>> all = new ArrayList<>(checks);
    all.addAll(quotaGrants.values());
    for (Future<?> f : all) {
      if (!f.isComplete()) {
        return Future.join(all).transform(ignored -> Future.succeededFuture(response()));
      }
    }
    // Every handler answered at once (a denier, a list, a cached quota): no join to wait on.
    return Future.succeededFuture(response());
  }

  private void dispatch(HandlerTable.Built handler, InstanceConfig instance, Map<String, QuotaArgs> quotas) {
    Template.Variety variety = instance.template().variety();
    if (variety == Template.Variety.REPORT || handler == null || handler.handler() == null) {
      return; // out-of-process (inactive) or failed-to-build handlers were reported at apply time
    }
    String handlerName = handler.config().name();
    HandlerStats stats = engine.stats(handlerName);
    if (variety == Template.Variety.CHECK) {
      Instance built = build(instance, stats);
      if (built == null) {
        checks.add(Future.succeededFuture(engine.failure(handlerName, "instance " + instance.name() + " could not be built")));
        return;
      }
      checks.add(engine.deadline().call(handlerName, stats, () -> handler.handler().check(built))
          .map(r -> r.isOk() ? r : CheckResult.denied(r.statusCode(), handlerName + ":" + r.message(), r.validDuration(), r.validUseCount()))
          .otherwise(cause -> engine.failure(handlerName, cause.getMessage())));
      return;
    }
    String quotaName = quotaNameFor(instance.name(), quotas);
    if (quotaName == null) {
      return;
    }
    QuotaArgs args = quotas.get(quotaName);
    Instance built = build(instance, stats);
    if (built == null) {
      checks.add(Future.succeededFuture(engine.failure(handlerName, "instance " + instance.name() + " could not be built")));
      return;
    }
    Future<QuotaResult> grant = engine.deadline().call(handlerName, stats, () -> handler.handler().quota(built, args));
    if (!engine.options().failOpen()) {
      checks.add(grant.map(ignored -> CheckResult.ok(engine.options().defaultValidDuration(), engine.options().defaultValidUseCount()))
          .otherwise(cause -> engine.failure(handlerName, cause.getMessage())));
    }
    quotaGrants.put(quotaName, grant.otherwise(cause ->
        new QuotaResult(engine.options().failOpen() ? args.amount() : 0, Duration.ZERO)));
  }

  /** The asked quota an instance serves: its full name, or its first segment as QuotaSpecs write it. */
  private static String quotaNameFor(String instanceName, Map<String, QuotaArgs> quotas) {
    if (quotas.containsKey(instanceName)) {
      return instanceName;
    }
    for (String q : quotas.keySet()) {
      if (instanceName.startsWith(q + ".")) {
        return q;
      }
    }
    return null;
  }

  private Instance build(InstanceConfig instance, HandlerStats stats) {
    Instance cached = built.get(instance.name());
    if (cached != null) {
      return cached;
    }
    try {
      Instance i = instance.build(bag);
      built.put(instance.name(), i);
      return i;
    } catch (EvaluationException e) {
      stats.errors.increment();
      engine.expressionErrors.increment();
      return null;
    }
  }

  private void headerOperations(List<RuleConfig.HeaderOperationConfig> ops, List<HeaderOperation> out) {
    for (RuleConfig.HeaderOperationConfig op : ops) {
      List<String> values = new ArrayList<>(op.values().size());
      try {
        for (CompiledExpression v : op.values()) {
          values.add((String) v.evaluate(bag));
        }
      } catch (EvaluationException e) {
        engine.expressionErrors.increment();
        continue;
      }
      out.add(new HeaderOperation(op.header(), values, op.operation()));
    }
  }

  private CheckResponse response() {
    CheckResult verdict = null;
    Duration validFor = engine.options().defaultValidDuration();
    int uses = engine.options().defaultValidUseCount();
    for (Future<CheckResult> f : checks) {
      CheckResult r = f.result();
      if (!r.isOk() && verdict == null) {
        verdict = r;
      }
      validFor = min(validFor, r.validDuration());
      uses = Math.min(uses, r.validUseCount());
    }
    Map<String, QuotaResult> grants = new LinkedHashMap<>();
    quotaGrants.forEach((name, f) -> grants.put(name, f.result()));
    if (verdict == null) {
      verdict = CheckResult.ok(validFor, uses);
    }
    return new CheckResponse(verdict, reads.build(), requestOps, responseOps, grants);
  }

  private static Duration min(Duration a, Duration b) {
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }
}
