package io.mizzen.proxy.policy;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.filter.ContextKey;
import io.mizzen.proxy.filter.FilterStep;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.spi.filter.LocalReply;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.HttpDenial;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ReportBatcher;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Mixer's Check on the inbound listener (the destination side, where Istio's sidecar enforced
 * policy) and its Report as the response head passes back. A Check answered from Mixer's cache
 * comes back as a completed Future and is decided synchronously; a denial answers with the
 * helper's HTTP mapping ({@code 403 PERMISSION_DENIED:...}, {@code 429 RESOURCE_EXHAUSTED:...}).
 * A Check that fails is refused with 503 {@code UNAVAILABLE:mixer unreachable: …}; the sidecar
 * puts its workload's fail policy in front ({@link SidecarMixer}), which also says what requests
 * get while no Mixer is in use ({@link #withoutMixer}). A Report never holds the response. Reports are batched, as Istio's proxy batched them: one
 * Report call per {@link #REPORT_BATCH} finished requests, per {@link ReportBatcher#MAX_BATCH_BYTES} of encoded reports or per
 * {@link #REPORT_DELAY}, whichever comes first, and {@link #close()} sends what is pending.
 */
public final class MixerHook implements ProxyFilter {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.policy");
  private static final ContextKey<AttributeBag> ATTRIBUTES = ContextKey.of("mixer.attributes", AttributeBag.class);
  private static final ContextKey<Answer> ANSWER = ContextKey.of("mixer.answer", Answer.class);

  /**
   * The Check's answer, for the response's header operations: put in the request's context on the
   * event loop, filled there (an answer at once) or by Mixer's thread (an answer later).
   */
  private static final class Answer {
    volatile CheckResponse response;

    Answer(CheckResponse response) {
      this.response = response;
    }
  }

  /**
   * At most this many finished requests wait for one Report call: Istio's mixerclient default
   * ({@code ReportOptions.max_batch_entries}). Each call costs the proxy's event loop a new HTTP/2
   * stream, its headers and trailers, so fewer, larger batches cost less per request.
   */
  public static final int REPORT_BATCH = 1000;
  /** No finished request waits longer than this for its Report call. */
  public static final Duration REPORT_DELAY = Duration.ofMillis(100);

  private final Vertx vertx;
  private final Map<String, Object> fixed;
  private final int reportBatch;
  private final Duration reportDelay;
  private volatile Mixer mixer;
  private volatile Mixer remote;
  private volatile Supplier<CheckCache> caches;
  private volatile ReportBatcher reports;
  /** What an inbound request gets while no Mixer is in use: null passes it (fail open). */
  private volatile FilterStep withoutMixer;
  private volatile HttpAttributes http;
  private final List<Future<Void>> retired = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicLong skippedOps = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param vertx for the report batches' timers
   * @param self the workload this sidecar stands beside (the destination of inbound requests)
   * @param trustDomain the mesh's trust domain, for principals
   */
  public MixerHook(Vertx vertx, WorkloadInfo self, String trustDomain) {
    this(vertx, self, trustDomain, REPORT_BATCH, REPORT_DELAY);
  }

  /**
   * As {@link #MixerHook(Vertx, WorkloadInfo, String)}, with report batches of at most
   * {@code reportBatch} requests sent no later than {@code reportDelay} after the first of them.
   */
  public MixerHook(Vertx vertx, WorkloadInfo self, String trustDomain, int reportBatch, Duration reportDelay) {
    if (reportBatch < 1 || reportDelay == null || reportDelay.isNegative() || reportDelay.isZero()) {
      throw new IllegalArgumentException("report batches need a positive size and delay, not " + reportBatch + " and " + reportDelay);
    }
    this.vertx = vertx;
    this.fixed = HttpAttributes.workloadAttributes(self, trustDomain);
    this.reportBatch = reportBatch;
    this.reportDelay = reportDelay;
  }

  /**
   * What inbound requests get while no Mixer is in use (before the first connection, or after
   * {@code use(null)}): they pass unchecked when {@code failOpen}, else 503
   * {@code UNAVAILABLE:mixer unreachable: <why>}.
   */
  public void withoutMixer(boolean failOpen, String why) {
    withoutMixer = failOpen ? null : unavailable(why);
  }

  /** Starts checking with {@code mixer} (null: stop); Mixer may arrive after the proxy started. */
  public void use(Mixer mixer) {
    this.remote = null;
    this.mixer = mixer;
    reportTo(mixer);
  }

  /**
   * Starts checking with a Mixer (remote, or the embedded engine) fronted by a Check cache, as
   * Istio's proxy did. The
   * cache drops its verdicts when Mixer answers (a Check or a Report batch) under another config
   * generation, and is replaced by a fresh one on {@link #configChanged()}.
   */
  public void use(Mixer remote, Supplier<CheckCache> caches) {
    this.caches = caches;
    this.remote = remote;
    this.mixer = caches.get().front(remote);
    reportTo(remote);
  }

  /** Sends reports to {@code to} from now on; what the previous batcher held is sent to its Mixer. */
  private synchronized void reportTo(Mixer to) {
    ReportBatcher previous = reports;
    reports = to == null ? null : ReportBatcher.create(vertx, to, reportBatch, reportDelay);
    if (previous != null) {
      retired.add(previous.close());
    }
  }

  /** Report batches Mixer has taken so far (through the current batcher). */
  public long reportBatchesSent() {
    ReportBatcher r = reports;
    return r == null ? 0 : r.batchesSent();
  }

  /** Sends the pending reports now. @return a Future completed once Mixer answered (or failed) */
  public Future<Void> flushReports() {
    ReportBatcher r = reports;
    return r == null ? Future.succeededFuture() : r.flush();
  }

  /**
   * Stops reporting: the pending batch is sent and every batch in flight is waited for.
   *
   * @return a Future completed once Mixer has answered them all; it does not fail (a batch Mixer
   *     refused is counted by the batcher)
   */
  public Future<Void> close() {
    List<Future<Void>> all;
    synchronized (this) {
      ReportBatcher r = reports;
      reports = null;
      all = new ArrayList<>(retired);
      if (r != null) {
        all.add(r.close());
      }
    }
    return Future.join(all).otherwiseEmpty().mapEmpty();
  }

  /**
   * A new config is in force: verdicts cached under the old one (valid for up to a minute) must
   * not outlive it, or a new deny rule or quota would wait for them to expire.
   */
  public void configChanged() {
    Mixer r = remote;
    if (r != null) {
      mixer = caches.get().front(r);
    }
  }

  @Override
  public FilterStep onRequest(RequestContext request) {
    if (!"inbound".equals(request.listener())) {
      return null;
    }
    Mixer m = mixer;
    if (m == null) {
      return withoutMixer;
    }
    Future<CheckResponse> check;
    try {
      AttributeBag attributes = http(m).request(request);
      request.put(ATTRIBUTES, attributes);
      check = m.check(CheckRequest.of(attributes));
    } catch (RuntimeException e) {
      return unavailable(e);
    }
    if (check.succeeded()) {
      CheckResponse response = check.result();
      FilterStep step = verdict(response);
      if (step == null) {
        routeDirective(request, response);
      }
      if (!response.responseHeaderOperations().isEmpty()) {
        request.put(ANSWER, new Answer(response));
      }
      return step;
    }
    if (check.failed()) {
      return unavailable(check.cause());
    }
    // The answer may come on another thread: the head is changed on the event loop, as it
    // resumes; a denial's response operations wait in a holder put in the context here, on the loop.
    Answer answer = new Answer(null);
    request.put(ANSWER, answer);
    return new FilterStep.Wait(check.map(response -> {
      answer.response = response;
      FilterStep step = verdict(response);
      return step == null ? null : ((FilterStep.Reply) step).reply();
    }).recover(e -> Future.succeededFuture(((FilterStep.Reply) unavailable(e)).reply())),
        () -> routeDirective(request, answer.response));
  }

  /**
   * What a Check asks of the proxy beside its verdict (Istio's route directive): the matching
   * rules' requestHeaderOperations, applied to an allowed request before it goes upstream; their
   * responseHeaderOperations are applied in {@link #onResponse} to the response whatever it is (a
   * denial too), as Istio's proxy did.
   */
  private void routeDirective(RequestContext request, CheckResponse response) {
    if (response != null) {
      apply(response.requestHeaderOperations(), request.headers(), "request");
    }
  }

  /**
   * Applies {@code ops} in order, each value by itself, as Istio's proxy did (REPLACE sets,
   * APPEND adds, REMOVE deletes). An operation on a header that frames the message or belongs to
   * the hop ({@link HeaderOperation#PROTECTED}), or a value no header may carry (a line break, say), is skipped
   * and logged: Mixer's config compiler refuses the names already, but a value comes from the
   * request's attributes.
   */
  private void apply(List<HeaderOperation> ops, HttpHeaders headers, String where) {
    for (HeaderOperation op : ops) {
      String name = op.name().toLowerCase(java.util.Locale.ROOT);
      if (HeaderOperation.PROTECTED.contains(name)) {
        skipped(op, where, "the proxy owns that header");
        continue;
      }
      try {
        switch (op.operation()) {
          case REMOVE -> headers.remove(name);
          case REPLACE -> op.values().forEach(v -> headers.set(name, v));
          case APPEND -> op.values().forEach(v -> headers.add(name, v));
          default -> throw new IllegalStateException(op.operation().name());
        }
      } catch (IllegalArgumentException e) {
        skipped(op, where, e.getMessage());
      }
    }
  }

  private void skipped(HeaderOperation op, String where, String why) {
    long n = skippedOps.incrementAndGet();
    if (Long.bitCount(n) == 1) {
      // 1st, 2nd, 4th, 8th...: a value built from a client's header cannot flood the log.
      LOG.log(System.Logger.Level.WARNING, "mixer " + where + "HeaderOperations: " + op.operation() + " "
          + op.name() + " skipped (" + why + "); " + n + " skipped so far");
    }
  }

  /** Header operations Mixer asked for that were not applied (bad name or value). */
  public long skippedHeaderOperations() {
    return skippedOps.get();
  }

  @Override
  public void onResponse(RequestContext request, HttpResponse response) {
    Answer answer = request.get(ANSWER);
    CheckResponse checked = answer == null ? null : answer.response;
    if (checked != null) {
      apply(checked.responseHeaderOperations(), response.headers(), "response");
    }
    Mixer m = mixer;
    AttributeBag attributes = request.get(ATTRIBUTES);
    if (m == null || attributes == null) {
      return;
    }
    ReportBatcher batcher = reports;
    if (batcher == null) {
      return;
    }
    try {
      batcher.add(http(m).report(attributes, response));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "mixer report for " + request.path() + " not built: " + e.getMessage());
    }
  }

  private static FilterStep verdict(CheckResponse response) {
    CheckResult status = response.effectiveStatus();
    if (status.isOk()) {
      return null;
    }
    HttpDenial denial = HttpDenial.of(status);
    return new FilterStep.Reply(new LocalReply(denial.httpStatus(), Map.of("content-type", "text/plain"), denial.body()),
        ResponseFlag.UAEX, "mixer check: " + denial.body());
  }

  private static FilterStep unavailable(Throwable e) {
    return unavailable(e.getMessage());
  }

  private static FilterStep unavailable(String why) {
    String body = "UNAVAILABLE:mixer unreachable: " + why;
    return new FilterStep.Reply(new LocalReply(503, Map.of("content-type", "text/plain"), body), ResponseFlag.UAEX, body);
  }

  /**
   * The bag builder for {@code m}'s vocabulary and what its config reads, kept for as long as
   * neither changes.
   */
  private HttpAttributes http(Mixer m) {
    HttpAttributes s = http;
    AttributeVocabulary v = m.vocabulary();
    ReferencedAttributes read = m.attributesRead();
    if (s == null || s.vocabulary != v || s.read != read) {
      s = new HttpAttributes(v, read, fixed);
      http = s;
    }
    return s;
  }
}
