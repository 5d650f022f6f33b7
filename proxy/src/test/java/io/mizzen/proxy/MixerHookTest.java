package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.access.IstioMetrics;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.ValueType;
import io.mizzen.spi.proxy.ProxyListeners;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.ProxySnapshotSink;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Mixer's Check on the inbound listener and its Report after the response. Mixer lies outside the
 * proxy (the kernel's engine, or the control plane's behind gRPC): here a scripted one answers
 * through the SPI, as mixer-rule-deny-label and the productpage rate limit would.
 */
class MixerHookTest {
  private Fixture f;
  private ProxyFunction function;

  @BeforeEach
  void setUp() {
    f = new Fixture();
  }

  @AfterEach
  void tearDown() {
    if (function != null) {
      Fixture.await(function.stop());
    }
    f.close();
  }

  /** Denies reviews v3 (synchronously, as from the check cache); allows 2 requests then 429 (later). */
  private static final class ScriptedMixer implements Mixer {
    final Vertx vertx;
    final AttributeVocabulary vocabulary = AttributeVocabulary.of(Map.of(
        "source.labels", ValueType.STRING_MAP, "source.principal", ValueType.STRING,
        "destination.service.name", ValueType.STRING, "destination.labels", ValueType.STRING_MAP,
        "request.path", ValueType.STRING, "response.code", ValueType.INT64));
    final AtomicInteger allowed = new AtomicInteger();
    final BlockingQueue<AttributeBag> reports = new LinkedBlockingQueue<>();

    ScriptedMixer(Vertx vertx) {
      this.vertx = vertx;
    }

    @Override public AttributeVocabulary vocabulary() { return vocabulary; }

    @Override
    @SuppressWarnings("unchecked")
    public Future<CheckResponse> check(CheckRequest request) {
      Map<String, String> source = (Map<String, String>) request.attributes().get("source.labels");
      if (source != null && "reviews".equals(source.get("app")) && "v3".equals(source.get("version"))) {
        return Future.succeededFuture(response(CheckResult.denied(CheckResult.PERMISSION_DENIED,
            "denier.handler.istio-system:Not allowed", Duration.ofSeconds(5), 1000)));
      }
      Promise<CheckResponse> later = Promise.promise();
      // Allowed with no validity, as Mixer answers a check that spent quota: never cached.
      vertx.setTimer(5, t -> later.complete(allowed.incrementAndGet() <= 2
          ? response(CheckResult.ok(Duration.ZERO, 0))
          : response(CheckResult.denied(CheckResult.RESOURCE_EXHAUSTED,
              "Quota is exhausted for: requestcountquota", Duration.ZERO, 0))));
      return later.future();
    }

    @Override
    public Future<Void> report(List<AttributeBag> batch) {
      reports.addAll(batch);
      return Future.succeededFuture();
    }

    private static CheckResponse response(CheckResult status) {
      // What the verdicts depend on, as Mixer says it: the caller's labels (the proxy caches by them).
      return new CheckResponse(status, new io.mizzen.spi.mixer.ReferencedAttributes(java.util.Set.of("source.labels"), Map.of()),
          List.of(), List.of(), Map.of());
    }
  }

  private static final class Host implements MeshContext {
    final Vertx vertx;
    final Map<Class<?>, Object> published = new ConcurrentHashMap<>();

    Host(Vertx vertx) {
      this.vertx = vertx;
    }

    @Override public Vertx vertx() { return vertx; }
    @Override public <T> Future<T> executeBlocking(Callable<T> task) { return vertx.executeBlocking(task); }
    @Override public String trustDomain() { return "cluster.local"; }
    @Override public String rootNamespace() { return "istio-system"; }
    @Override public Path stateDir() { return Path.of("target", "state"); }
    @Override public Role role() { return Role.SIDECAR; }
    @Override public Map<String, Object> settings(String name) { return Map.of(); }
    @Override public <T> List<T> extensions(Class<T> point) { return List.of(); }
    @Override public <T> T lookup(Class<T> type) { return type.cast(published.get(type)); }
    @Override public <T> void publish(Class<T> type, T service) { published.put(type, service); }
    @Override public MeshPorts ports() { return MeshPorts.ephemeral(); }
  }

  /** Ratings' sidecar in front of {@code app}, with {@code mixer} published as the kernel's; its inbound port. */
  private int ratingsSidecar(Mixer mixer, HttpServer app) {
    Host host = new Host(f.vertx);
    host.publish(Mixer.class, mixer);
    host.publish(WorkloadInfo.class, new WorkloadInfo("ratings", "default",
        Map.of("app", "ratings", "version", "v1"), "bookinfo-ratings", "127.0.0.1", app.actualPort()));
    function = new ProxyFunction();
    Fixture.await(function.start(host));
    Fixture.await(host.lookup(ProxySnapshotSink.class).apply(new ProxySnapshot("v1", List.of(), List.of())));
    return host.lookup(ProxyListeners.class).inbound();
  }

  @Test
  void inboundChecksDenyOrLimitAndReportAfterTheResponse() throws InterruptedException {
    ScriptedMixer mixer = new ScriptedMixer(f.vertx);
    int inbound = ratingsSidecar(mixer, f.upstream(req -> req.response().end("stars")));

    Fixture.Reply denied = get(inbound, peer("reviews", "v3"));
    assertEquals(403, denied.status(), denied.body());
    assertTrue(denied.body().startsWith("PERMISSION_DENIED:"), denied.body());
    assertTrue(denied.body().contains("Not allowed"), denied.body());

    for (int i = 0; i < 2; i++) {
      Fixture.Reply ok = get(inbound, peer("reviews", "v2"));
      assertEquals(200, ok.status(), ok.body());
      assertEquals("stars", ok.body());
    }
    Fixture.Reply limited = get(inbound, peer("reviews", "v2"));
    assertEquals(429, limited.status(), limited.body());
    assertTrue(limited.body().startsWith("RESOURCE_EXHAUSTED:"), limited.body());

    // Every request is reported, with its response code and the destination's labels.
    Map<Long, Integer> codes = new java.util.TreeMap<>();
    for (int i = 0; i < 4; i++) {
      AttributeBag report = mixer.reports.poll(10, TimeUnit.SECONDS);
      assertTrue(report != null, "report " + i + " arrived");
      codes.merge((Long) report.get("response.code"), 1, Integer::sum);
      assertEquals("ratings", report.get("destination.service.name"));
      assertEquals("cluster.local/ns/default/sa/bookinfo-reviews", report.get("source.principal"));
    }
    assertEquals(Map.of(200L, 2, 403L, 1, 429L, 1), codes);
  }

  /** Allows everything and keeps the reports; says its config reads {@code read}. */
  private static final class ReadingMixer implements Mixer {
    final AttributeVocabulary vocabulary = AttributeVocabulary.of(Map.of(
        "request.headers", ValueType.STRING_MAP, "response.headers", ValueType.STRING_MAP, "request.path", ValueType.STRING,
        "request.time", ValueType.TIMESTAMP, "response.duration", ValueType.DURATION, "response.code", ValueType.INT64));
    final io.mizzen.spi.mixer.ReferencedAttributes read;
    final BlockingQueue<AttributeBag> reports = new LinkedBlockingQueue<>();

    ReadingMixer(io.mizzen.spi.mixer.ReferencedAttributes read) {
      this.read = read;
    }

    @Override public AttributeVocabulary vocabulary() { return vocabulary; }
    @Override public io.mizzen.spi.mixer.ReferencedAttributes attributesRead() { return read; }

    @Override
    public Future<CheckResponse> check(CheckRequest request) {
      return Future.succeededFuture(new CheckResponse(CheckResult.ok(Duration.ofSeconds(5), 1000),
          io.mizzen.spi.mixer.ReferencedAttributes.none(), List.of(), List.of(), Map.of()));
    }

    @Override
    public Future<Void> report(List<AttributeBag> batch) {
      reports.addAll(batch);
      return Future.succeededFuture();
    }
  }

  /** One request through a sidecar whose Mixer reads {@code read}; the report it sent. */
  private AttributeBag reportOfOneRequest(io.mizzen.spi.mixer.ReferencedAttributes read) throws InterruptedException {
    ReadingMixer mixer = new ReadingMixer(read);
    int inbound = ratingsSidecar(mixer, f.upstream(req -> req.response().putHeader("x-served-by", "ratings-v1").end("stars")));
    Fixture.Reply ok = Fixture.await(OneLoop.run(f.vertx, () -> f.client.request(HttpMethod.GET, inbound, "127.0.0.1", "/ratings/0")
        .compose(req -> req.putHeader("X-User", (Iterable<String>) List.of("jason", "john")).putHeader("x-colour", "blue").send()
            .compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString()))))));
    assertEquals(200, ok.status(), ok.body());
    AttributeBag report = mixer.reports.poll(10, TimeUnit.SECONDS);
    assertTrue(report != null, "the request was reported");
    return report;
  }

  @Test
  void aHeaderMapReadAtSomeKeysCarriesOnlyThoseAndOneReadWholeCarriesAll() throws InterruptedException {
    AttributeBag report = reportOfOneRequest(new io.mizzen.spi.mixer.ReferencedAttributes(
        java.util.Set.of("response.headers", "request.path"), Map.of("request.headers", java.util.Set.of("x-user", "x-absent", "X-Colour"))));
    assertEquals("/ratings/0", report.get("request.path"));
    // The last of a repeated header, as in a whole map; a key read but not sent is simply absent;
    // names are lower case whatever the config's spelling.
    assertEquals(Map.of("x-user", "john", "x-colour", "blue"), report.get("request.headers"));
    AttributeBag one = reportOfOneRequest(new io.mizzen.spi.mixer.ReferencedAttributes(
        java.util.Set.of(), Map.of("request.headers", java.util.Set.of("x-absent", "X-User"))));
    assertEquals(Map.of("x-user", "john"), one.get("request.headers"));
    @SuppressWarnings("unchecked")
    Map<String, String> response = (Map<String, String>) report.get("response.headers");
    assertEquals("ratings-v1", response.get("x-served-by"), String.valueOf(response));
    assertEquals("5", response.get("content-length"), String.valueOf(response));
  }

  @Test
  void attributesNothingReadsAreLeftOut() throws InterruptedException {
    AttributeBag report = reportOfOneRequest(io.mizzen.spi.mixer.ReferencedAttributes.none());
    assertEquals(Map.of(), report.toMap());
  }

  @Test
  void aDurationReadIsMeasuredFromTheRequestTimeAndNothingElseIsSet() throws InterruptedException {
    AttributeBag report = reportOfOneRequest(new io.mizzen.spi.mixer.ReferencedAttributes(
        java.util.Set.of("response.duration"), Map.of()));
    assertTrue(report.get("response.duration") instanceof Duration d && !d.isNegative(), String.valueOf(report));
    // The request's time stays in the bag: the duration is measured from it.
    assertTrue(report.get("request.time") instanceof java.time.Instant, String.valueOf(report));
    assertEquals(java.util.Set.of("response.duration", "request.time"), report.toMap().keySet());
  }

  @Test
  void aMixerThatDoesNotSayWhatItReadsGetsEveryHeader() throws InterruptedException {
    AttributeBag report = reportOfOneRequest(null);
    assertEquals("/ratings/0", report.get("request.path"));
    assertEquals(200L, report.get("response.code"));
    @SuppressWarnings("unchecked")
    Map<String, String> request = (Map<String, String>) report.get("request.headers");
    assertEquals("john", request.get("x-user"), String.valueOf(request));
    assertEquals("blue", request.get("x-colour"), String.valueOf(request));
    assertTrue(report.get("response.headers") instanceof Map<?, ?> m && m.containsKey("x-served-by"), String.valueOf(report.get("response.headers")));
  }

  /**
   * Allows everything, asking for header operations as a rule whose values came from request
   * attributes might: one good, one with a line break in its value, one on a header the proxy owns.
   * Answers at once (as from the check cache) or from a timer (as over the network).
   */
  private static final class OperatingMixer implements Mixer {
    final Vertx vertx;
    final boolean later;

    OperatingMixer(Vertx vertx, boolean later) {
      this.vertx = vertx;
      this.later = later;
    }

    @Override public AttributeVocabulary vocabulary() { return AttributeVocabulary.of(Map.of("request.path", ValueType.STRING)); }
    @Override public Future<Void> report(List<AttributeBag> batch) { return Future.succeededFuture(); }

    @Override
    public Future<CheckResponse> check(CheckRequest request) {
      List<HeaderOperation> ops = List.of(
          new HeaderOperation("x-evil", List.of("a\r\nx-injected: 1"), HeaderOperation.Operation.REPLACE),
          new HeaderOperation("Content-Length", List.of("0"), HeaderOperation.Operation.REPLACE),
          new HeaderOperation("X-Good", List.of("yes"), HeaderOperation.Operation.REPLACE));
      CheckResponse answer = new CheckResponse(CheckResult.ok(Duration.ZERO, 0),
          io.mizzen.spi.mixer.ReferencedAttributes.none(), ops, ops, Map.of());
      if (!later) {
        return Future.succeededFuture(answer);
      }
      Promise<CheckResponse> p = Promise.promise();
      vertx.setTimer(5, t -> p.complete(answer));
      return p.future();
    }
  }

  @Test
  void headerOperationsWithABadValueOrOnAHeaderTheProxyOwnsAreSkippedAndTheRestApplied() {
    for (boolean later : List.of(false, true)) {
      HttpServer app = f.upstream(req -> req.response().end(String.join(",", "good=" + req.getHeader("x-good"),
          "evil=" + req.getHeader("x-evil"), "injected=" + req.getHeader("x-injected"),
          "length=" + req.getHeader("content-length"))));
      int inbound = ratingsSidecar(new OperatingMixer(f.vertx, later), app);
      Fixture.Reply r = get(inbound, peer("reviews", "v2"));
      String how = later ? "answered later" : "answered at once";
      assertEquals(200, r.status(), how + ": " + r.body());
      assertEquals("good=yes,evil=null,injected=null,length=null", r.body(), how);
      assertEquals("yes", r.headers().get("x-good"), how);
      assertEquals(null, r.headers().get("x-evil"), how);
      assertEquals(String.valueOf(r.body().length()), r.headers().get("content-length"), how + ": the proxy's framing stands");
      Fixture.await(function.stop());
      function = null;
    }
  }

  private static String peer(String app, String version) {
    IstioMetrics caller = new IstioMetrics();
    caller.identify(new WorkloadInfo(app, "default", Map.of("app", app, "version", version),
        "bookinfo-" + app, "127.0.0.1", 9080));
    return caller.peerHeader();
  }

  private Fixture.Reply get(int port, String peer) {
    return Fixture.await(OneLoop.run(f.vertx, () -> f.client.request(HttpMethod.GET, port, "127.0.0.1", "/ratings/0")
        .compose(req -> req.putHeader(IstioMetrics.PEER_HEADER, peer).send()
            .compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString()))))));
  }
}
