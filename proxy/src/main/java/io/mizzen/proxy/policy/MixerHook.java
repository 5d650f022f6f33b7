package io.mizzen.proxy.policy;

import io.mizzen.proxy.access.IstioMetrics;
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
import io.mizzen.spi.mixer.HttpDenial;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.mizzen.spi.mixer.ReportBatcher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Mixer's Check on the inbound listener (the destination side, where Istio's sidecar enforced
 * policy) and its Report as the response head passes back. A Check answered from Mixer's cache
 * comes back as a completed Future and is decided synchronously; a denial answers with the
 * helper's HTTP mapping ({@code 403 PERMISSION_DENIED:...}, {@code 429 RESOURCE_EXHAUSTED:...}).
 * When Mixer cannot be reached the request is refused with 503 (Istio's fail-closed default);
 * a Report never holds the response. Reports are batched, as Istio's proxy batched them: one
 * Report call per {@link #REPORT_BATCH} finished requests, per 128 KiB of encoded reports or per
 * {@link #REPORT_DELAY}, whichever comes first, and {@link #close()} sends what is pending.
 */
public final class MixerHook implements ProxyFilter {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.policy");
  private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
  private static final ContextKey<AttributeBag> ATTRIBUTES = ContextKey.of("mixer.attributes", AttributeBag.class);

  /** At most this many finished requests wait for one Report call. */
  public static final int REPORT_BATCH = 500;
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
  private volatile Slots slots;
  private final List<Future<Void>> retired = new CopyOnWriteArrayList<>();

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
    this.fixed = fixedAttributes(self, trustDomain);
    this.reportBatch = reportBatch;
    this.reportDelay = reportDelay;
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
    Mixer m = mixer;
    if (m == null || !"inbound".equals(request.listener())) {
      return null;
    }
    Future<CheckResponse> check;
    try {
      AttributeBag attributes = requestAttributes(slots(m.vocabulary()), request, m.attributesRead());
      request.put(ATTRIBUTES, attributes);
      check = m.check(CheckRequest.of(attributes));
    } catch (RuntimeException e) {
      return unavailable(e);
    }
    if (check.succeeded()) {
      return verdict(check.result());
    }
    if (check.failed()) {
      return unavailable(check.cause());
    }
    return new FilterStep.Wait(check.map(response -> {
      FilterStep step = verdict(response);
      return step == null ? null : ((FilterStep.Reply) step).reply();
    }).recover(e -> Future.succeededFuture(((FilterStep.Reply) unavailable(e)).reply())));
  }

  @Override
  public void onResponse(RequestContext request, HttpResponse response) {
    Mixer m = mixer;
    AttributeBag attributes = request.get(ATTRIBUTES);
    if (m == null || attributes == null) {
      return;
    }
    // The request's bag copied whole (one array copy), plus what the response says.
    Slots slots = slots(m.vocabulary());
    AttributeBag base = attributes.vocabulary() == slots.vocabulary ? attributes : attributes.rebase(slots.vocabulary);
    AttributeBag.Builder report = AttributeBag.builder(base);
    put(report, slots.responseCode, (long) response.status().code());
    Instant now = Instant.now();
    put(report, slots.responseTime, now);
    if (slots.requestTime >= 0 && base.get(slots.requestTime) instanceof Instant started) {
      // Until the response head: the report is queued then, never held for the body.
      put(report, slots.responseDuration, java.time.Duration.between(started, now));
    }
    long size = io.netty.handler.codec.http.HttpUtil.getContentLength(response, -1L);
    if (size >= 0) {
      put(report, slots.responseSize, size);
    }
    put(report, slots.responseHeaders, headerMap(response.headers(), m.attributesRead(), "response.headers"));
    ReportBatcher batcher = reports;
    if (batcher == null) {
      return;
    }
    try {
      batcher.add(report.build());
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
    String body = "UNAVAILABLE:mixer unreachable: " + e.getMessage();
    return new FilterStep.Reply(new LocalReply(503, Map.of("content-type", "text/plain"), body), ResponseFlag.UAEX, body);
  }

  /**
   * The attributes of the workload itself, the same for every request: computed once, not per
   * request (destination.*, context.*).
   */
  private static Map<String, Object> fixedAttributes(WorkloadInfo self, String trustDomain) {
    Map<String, Object> a = new java.util.LinkedHashMap<>();
    String ns = self.namespace();
    a.put("destination.labels", self.labels());
    a.put("destination.namespace", ns);
    a.put("destination.workload.namespace", ns);
    a.put("destination.principal", trustDomain + "/ns/" + ns + "/sa/" + self.serviceAccount());
    if (self.service() != null) {
      a.put("destination.service.name", self.service());
      a.put("destination.service.namespace", ns);
      a.put("destination.service.host", self.service() + "." + ns + ".svc." + trustDomain);
      String version = self.labels().get("version");
      a.put("destination.workload.name", version == null ? self.service() : self.service() + "-" + version);
      a.put("destination.uid", "kubernetes://" + a.get("destination.workload.name") + "." + ns);
    }
    a.put("context.protocol", "http");
    a.put("context.reporter.kind", "inbound");
    return java.util.Collections.unmodifiableMap(a);
  }

  /**
   * Where each attribute the hook sets sits in one vocabulary, worked out once per vocabulary
   * rather than by name per request; -1 when the vocabulary does not know the attribute or
   * declares another type for it than Istio's (the attribute is then left out, as rules reading
   * it expect). {@link #fixed} holds the workload's own attributes, the same for every request.
   */
  private static final class Slots {
    final AttributeVocabulary vocabulary;
    final AttributeBag fixed;
    final int sourceLabels;
    final int sourceWorkloadName;
    final int sourceNamespace;
    final int sourceWorkloadNamespace;
    final int sourcePrincipal;
    final int sourceUser;
    final int sourceUid;
    final int connectionMtls;
    final int destinationPort;
    final int requestPath;
    final int requestUrlPath;
    final int requestMethod;
    final int requestHost;
    final int requestScheme;
    final int requestTime;
    final int requestId;
    final int requestUseragent;
    final int requestHeaders;
    final int responseCode;
    final int responseTime;
    final int responseHeaders;
    final int responseDuration;
    final int responseSize;
    final int sourceIp;

    Slots(AttributeVocabulary v, Map<String, Object> fixedAttributes) {
      vocabulary = v;
      AttributeBag.Builder b = AttributeBag.builder(v);
      fixedAttributes.forEach((name, value) -> put(b, slot(v, name, value.getClass()), value));
      fixed = b.build();
      sourceLabels = slot(v, "source.labels", Map.class);
      sourceWorkloadName = slot(v, "source.workload.name", String.class);
      sourceNamespace = slot(v, "source.namespace", String.class);
      sourceWorkloadNamespace = slot(v, "source.workload.namespace", String.class);
      sourcePrincipal = slot(v, "source.principal", String.class);
      sourceUser = slot(v, "source.user", String.class);
      sourceUid = slot(v, "source.uid", String.class);
      connectionMtls = slot(v, "connection.mtls", Boolean.class);
      destinationPort = slot(v, "destination.port", Long.class);
      requestPath = slot(v, "request.path", String.class);
      requestUrlPath = slot(v, "request.url_path", String.class);
      requestMethod = slot(v, "request.method", String.class);
      requestHost = slot(v, "request.host", String.class);
      requestScheme = slot(v, "request.scheme", String.class);
      requestTime = slot(v, "request.time", Instant.class);
      requestId = slot(v, "request.id", String.class);
      requestUseragent = slot(v, "request.useragent", String.class);
      requestHeaders = slot(v, "request.headers", Map.class);
      responseCode = slot(v, "response.code", Long.class);
      responseTime = slot(v, "response.time", Instant.class);
      responseHeaders = slot(v, "response.headers", Map.class);
      responseDuration = slot(v, "response.duration", java.time.Duration.class);
      responseSize = slot(v, "response.size", Long.class);
      sourceIp = slot(v, "source.ip", java.net.InetAddress.class);
    }

    private static int slot(AttributeVocabulary v, String name, Class<?> javaType) {
      int i = v.indexOf(name);
      if (i < 0) {
        return -1;
      }
      if (!v.type(i).javaType().isAssignableFrom(javaType)) {
        // A manifest declaring another type than Istio's for this attribute: it stays absent.
        LOG.log(System.Logger.Level.DEBUG, "mixer attribute " + name + " left out: it is " + v.type(i)
            + ", not a " + javaType.getSimpleName());
        return -1;
      }
      return i;
    }
  }

  /** The slots for {@code v}, kept for as long as Mixer's vocabulary stays the same. */
  private Slots slots(AttributeVocabulary v) {
    Slots s = slots;
    if (s == null || s.vocabulary != v) {
      s = new Slots(v, fixed);
      slots = s;
    }
    return s;
  }

  private static void put(AttributeBag.Builder b, int slot, Object value) {
    if (slot >= 0) {
      b.put(slot, value);
    }
  }

  /** The last source address parsed: callers are few, so most requests skip the parse. */
  private static volatile SourceAddress lastSource = new SourceAddress("", null);

  private record SourceAddress(String text, java.net.InetAddress address) {}

  private static java.net.InetAddress address(String text) {
    SourceAddress last = lastSource;
    if (!last.text().equals(text)) {
      last = new SourceAddress(text, io.mizzen.spi.mixer.AttributeValues.ipAddress(text));
      lastSource = last;
    }
    return last.address();
  }

  /** The attributes Istio's sidecar sent with an inbound request, put straight into a bag. */
  private static AttributeBag requestAttributes(Slots s, RequestContext request, ReferencedAttributes read) {
    AttributeBag.Builder b = AttributeBag.builder(s.fixed);
    String peer = request.header(IstioMetrics.PEER_HEADER);
    if (peer != null) {
      String[] p = peer.split(";", -1);
      String app = at(p, 1);
      String version = at(p, 2);
      Map<String, String> carried = IstioMetrics.peerLabels(p);
      if (carried.isEmpty()) {
        put(b, s.sourceLabels, app == null ? (version == null ? Map.of() : Map.of("version", version))
            : version == null ? Map.of("app", app) : Map.of("app", app, "version", version));
      } else {
        // All the caller's labels (Istio's kubernetesenv gave Mixer source.labels from the pod).
        Map<String, String> labels = new HashMap<>(carried);
        if (app != null) {
          labels.put("app", app);
        }
        if (version != null) {
          labels.put("version", version);
        }
        put(b, s.sourceLabels, labels);
      }
      String workload = at(p, 0);
      String namespace = at(p, 3);
      put(b, s.sourceWorkloadName, workload);
      put(b, s.sourceNamespace, namespace);
      put(b, s.sourceWorkloadNamespace, namespace);
      put(b, s.sourcePrincipal, at(p, 4));
      put(b, s.sourceUser, at(p, 4));
      if (workload != null && namespace != null) {
        put(b, s.sourceUid, "kubernetes://" + workload + "." + namespace);
      }
    }
    // What the mutual TLS handshake proved outranks what the peer header claims.
    String proven = request.sourcePrincipal();
    put(b, s.connectionMtls, proven != null);
    if (proven != null) {
      put(b, s.sourcePrincipal, proven);
      put(b, s.sourceUser, proven);
    }
    put(b, s.destinationPort, (long) request.port());
    String sourceIp = request.sourceIp();
    if (s.sourceIp >= 0 && sourceIp != null && !sourceIp.isEmpty()) {
      // The address the inbound connection came from (mixer-rule-deny-ip's whitelist reads it).
      put(b, s.sourceIp, address(sourceIp));
    }
    put(b, s.requestPath, request.uri());
    put(b, s.requestUrlPath, request.path());
    put(b, s.requestMethod, request.method());
    put(b, s.requestHost, request.authority());
    put(b, s.requestScheme, request.scheme());
    put(b, s.requestTime, Instant.now());
    HttpHeaders headers = request.headers();
    put(b, s.requestId, headers.get(REQUEST_ID));
    put(b, s.requestUseragent, headers.get(HttpHeaderNames.USER_AGENT));
    put(b, s.requestHeaders, headerMap(headers, read, "request.headers"));
    return b.build();
  }

  /**
   * The header map as far as Mixer's config reads it ({@code read}, null when unknown): whole,
   * only the keys read (a rule on {@code request.headers["x-user"]} gets a map of at most that
   * header), or null when nothing reads it.
   */
  static Map<String, String> headerMap(HttpHeaders headers, ReferencedAttributes read, String attribute) {
    if (read == null || read.attributes().contains(attribute)) {
      return headerMap(headers);
    }
    Set<String> keys = read.mapKeys().get(attribute);
    if (keys == null) {
      return null;
    }
    Map<String, String> m = null;
    for (String key : keys) {
      // The last value of a repeated header, as in the whole map.
      List<String> values = headers.getAll(key);
      if (!values.isEmpty()) {
        if (m == null) {
          m = new HashMap<>();
        }
        m.put(key.toLowerCase(Locale.ROOT), values.get(values.size() - 1));
      }
    }
    return m == null ? Map.of() : Map.copyOf(m);
  }

  /**
   * The headers as an immutable map with lower-case names (HTTP/2's spelling), the last value of
   * a repeated header winning; built straight into its final form, not copied through a HashMap.
   */
  static Map<String, String> headerMap(HttpHeaders headers) {
    int n = headers.size();
    if (n == 0) {
      return Map.of();
    }
    if (n > 32) {
      Map<String, String> m = new HashMap<>();
      headers.forEach(h -> m.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
      return Map.copyOf(m);
    }
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] entries = new Map.Entry[n];
    String[] names = new String[n];
    int k = 0;
    for (Iterator<Map.Entry<String, String>> it = headers.iteratorAsString(); it.hasNext(); ) {
      Map.Entry<String, String> h = it.next();
      String name = h.getKey().toLowerCase(Locale.ROOT);
      int at = k;
      for (int j = 0; j < k; j++) {
        if (names[j].equals(name)) {
          at = j;
          break;
        }
      }
      entries[at] = Map.entry(name, h.getValue());
      if (at == k) {
        names[k++] = name;
      }
    }
    return Map.ofEntries(k == n ? entries : Arrays.copyOf(entries, k));
  }

  private static String at(String[] parts, int i) {
    return i < parts.length && !parts[i].isEmpty() ? parts[i] : null;
  }

}
