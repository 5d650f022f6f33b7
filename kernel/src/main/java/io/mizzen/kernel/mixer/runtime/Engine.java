package io.mizzen.kernel.mixer.runtime;

import io.mizzen.kernel.mixer.config.EvaluationMemo;
import io.mizzen.kernel.mixer.config.MixerConfig;
import io.mizzen.kernel.mixer.config.MixerConfigCompiler;
import io.mizzen.kernel.mixer.config.ResourceError;
import io.mizzen.kernel.mixer.config.RuleConfig;
import io.mizzen.kernel.mixer.AttributeManifest;
import io.mizzen.kernel.mixer.expr.EvaluationException;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine: the current {@link State}, swapped whole on each applied version. */
final class Engine implements MixerEngine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  private final MeshContext context;
  private final EngineOptions options;
  private volatile Map<String, MixerAdapter> adapters;
  private final List<AttributeManifest> manifests;
  private final Deadline deadline;
  private final Map<String, HandlerStats> stats = new ConcurrentHashMap<>();
  final LongAdder expressionErrors = new LongAdder();
  private volatile State state;
  private Future<?> applying = Future.succeededFuture();

  Engine(MeshContext context, EngineOptions options, List<MixerAdapter> adapterList) {
    this.context = context;
    this.options = options;
    this.adapters = byName(adapterList);
    this.deadline = new Deadline(context.vertx(), options.adapterTimeout().toMillis());
    this.manifests = AttributeManifest.builtIn();
    AttributeVocabulary vocabulary = AttributeManifest.vocabulary(manifests);
    this.state = State.of(MixerConfig.empty(vocabulary, options.rootNamespace()), HandlerTable.empty());
  }

  private static Map<String, MixerAdapter> byName(List<MixerAdapter> adapterList) {
    Map<String, MixerAdapter> byName = new LinkedHashMap<>();
    for (MixerAdapter a : adapterList) {
      if (byName.putIfAbsent(a.name(), a) != null) {
        throw new IllegalArgumentException("two adapters are named " + a.name());
      }
    }
    return Collections.unmodifiableMap(byName);
  }

  @Override
  public void useAdapters(List<MixerAdapter> adapterList) {
    adapters = byName(adapterList);
  }

  @Override
  public List<MixerAdapter> adapters() {
    return List.copyOf(adapters.values());
  }

  @Override
  public synchronized Future<List<ResourceError>> apply(List<Resource> resources, long version) {
    // Versions are applied one after the other so handler carry-over always sees the previous one.
    Future<List<ResourceError>> next = applying.transform(ignored -> applyNow(resources, version));
    applying = next;
    return next;
  }

  private Future<List<ResourceError>> applyNow(List<Resource> resources, long version) {
    Map<String, MixerAdapter> adapters = this.adapters;
    MixerConfigCompiler.Compilation c = MixerConfigCompiler.of(options.rootNamespace(), adapters, manifests).compile(resources, version);
    List<ResourceError> errors = Collections.synchronizedList(new ArrayList<>(c.errors()));
    c.config().warnings().forEach(w -> LOG.warn("mixer config v{}: {}", version, w));
    State previous = state;
    return HandlerTable.build(c.config(), previous.handlers(), adapters, context, errors).compose(table -> {
      state = State.of(c.config(), table);
      errors.forEach(e -> LOG.warn("mixer config v{} refused: {}", version, e));
      return previous.handlers().closeReplaced(table).otherwiseEmpty().map(v -> List.copyOf(errors));
    });
  }

  @Override
  public AttributeVocabulary vocabulary() {
    return state.config().vocabulary();
  }

  @Override
  public long configGeneration() {
    return state.config().version();
  }

  @Override
  public ReferencedAttributes attributesRead() {
    return state.read();
  }

  @Override
  public MixerConfig config() {
    return state.config();
  }

  @Override
  public Future<CheckResponse> check(CheckRequest request) {
    State s = state;
    AttributeBag bag = request.attributes().rebase(s.config().vocabulary());
    return new CheckDispatch(this, s, bag).run(request);
  }

  @Override
  public Future<Void> report(List<AttributeBag> batch) {
    return ReportDispatch.run(this, state, batch);
  }

  @Override
  public Map<String, HandlerCounts> handlerCounts() {
    Map<String, HandlerCounts> out = new LinkedHashMap<>();
    stats.forEach((name, s) -> out.put(name, s.snapshot(name)));
    return out;
  }

  /** Match expressions that could not be evaluated (absent attributes), and instance fields likewise. */
  long expressionErrors() {
    return expressionErrors.sum();
  }

  @Override
  public Future<Void> close() {
    return state.handlers().closeReplaced(HandlerTable.empty()).otherwiseEmpty();
  }

  EngineOptions options() {
    return options;
  }

  Deadline deadline() {
    return deadline;
  }

  HandlerStats stats(String handler) {
    return stats.computeIfAbsent(handler, h -> new HandlerStats());
  }

  /** A rule's match; one that cannot be evaluated (an absent attribute) does not match, as in Mixer. */
  boolean matches(RuleConfig rule, AttributeBag bag) {
    return matches(rule, bag, null, null);
  }

  /**
   * As {@link #matches(RuleConfig, AttributeBag)}, the answer kept in {@code memo} (when not
   * null) for the next bags that agree on the match's {@code slots}; a match that fails keeps
   * nothing and is counted for each bag.
   */
  boolean matches(RuleConfig rule, AttributeBag bag, EvaluationMemo memo, int[] slots) {
    if (rule.match() == null) {
      return true;
    }
    try {
      return memo == null ? rule.match().test(bag) : memo.get(rule, slots, bag, (r, b, m) -> r.match().test(b));
    } catch (EvaluationException e) {
      expressionErrors.increment();
      return false;
    }
  }

  /** What a failed or slow check handler yields under the fail policy; never cached. */
  CheckResult failure(String handler, String cause) {
    return options.failOpen()
        ? CheckResult.ok(Duration.ZERO, 0)
        : CheckResult.denied(CheckResult.UNAVAILABLE, handler + ":" + cause, Duration.ZERO, 0);
  }

  /**
   * The namespace whose rules see this request: {@code destination.namespace}, else
   * {@code destination.service.namespace}; null (root rules only) when neither is present.
   */
  static String namespaceOf(AttributeBag bag, State.Reads reads) {
    if (reads != null) {
      reads.addWhole("destination.namespace").addWhole("destination.service.namespace");
    }
    AttributeVocabulary v = bag.vocabulary();
    return namespaceOf(bag, v.indexOf("destination.namespace"), v.indexOf("destination.service.namespace"));
  }

  /** As {@link #namespaceOf(AttributeBag, State.Reads)}, the two attributes' indexes given (-1: unknown). */
  static String namespaceOf(AttributeBag bag, int destinationNamespace, int serviceNamespace) {
    Object ns = destinationNamespace < 0 ? null : bag.get(destinationNamespace);
    if (ns == null && serviceNamespace >= 0) {
      ns = bag.get(serviceNamespace);
    }
    return (String) ns;
  }
}
