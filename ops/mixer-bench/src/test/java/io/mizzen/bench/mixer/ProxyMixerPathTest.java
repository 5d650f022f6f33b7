package io.mizzen.bench.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.proxy.policy.SidecarMixer;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's Mixer path end to end: a real proxy (inbound listener, {@link MixerHook}) in front
 * of a real app, checking against a real Mixer server over gRPC on 127.0.0.1 (the engine with
 * the real denier). Kernel and proxy never import each other; this module may hold both.
 */
class ProxyMixerPathTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private MixerEngine engine;
  private MixerServer server;
  private GrpcClient grpc;
  private HttpServer app;
  private HttpClient client;
  private MeshProxy proxy;
  private SidecarMixer sidecarMixer;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    Path state = Files.createTempDirectory("mixer-path");
    engine = MixerEngine.create(new BenchContext(vertx, state), EngineOptions.defaults(), List.of(new DenierAdapter()));
    assertEquals(List.of(), await(engine.apply(List.of(), 1)));
    server = await(MixerServer.start(vertx, engine, "127.0.0.1", 0, 2));
    grpc = GrpcClient.client(vertx);
    // The app answers with the request headers a rule may change, as it received them.
    app = await(vertx.createHttpServer().requestHandler(req -> req.response().end(new io.vertx.core.json.JsonObject()
        .put("x-mixer-user", req.headers().getAll("x-mixer-user")).put("x-secret", req.headers().getAll("x-secret"))
        .put("x-tag", req.headers().getAll("x-tag")).encode())).listen(0, "127.0.0.1"));
    client = vertx.createHttpClient();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (proxy != null) {
      await(proxy.close());
    }
    if (sidecarMixer != null) {
      await(sidecarMixer.close());
    }
    await(vertx.close());
  }

  @Test
  void aDenyRuleReachesVerdictsTheProxyCachedUnderTheOldConfig() throws Exception {
    Mixer remote = await(RemoteMixer.connect(grpc, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1")));
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
    // A minute-long TTL: only the config generation can end the cached verdict within the test.
    hook.use(remote, () -> CheckCache.create(10_000, Duration.ofMinutes(1), System::nanoTime));
    startProxy(hook);

    assertEquals(200, get().status());
    assertEquals(200, get().status(), "the verdict is served from the cache");
    assertEquals(1, remote.configGeneration());

    assertEquals(List.of(), await(engine.apply(denyRatings(), 2)));
    // Under traffic a report batch leaves within REPORT_DELAY; its answer carries generation 2.
    get();
    await(hook.flushReports());
    awaitCondition(() -> remote.configGeneration() == 2, "the proxy learns of config generation 2");

    Reply denied = get();
    assertEquals(403, denied.status(), denied.body());
    assertTrue(denied.body().startsWith("PERMISSION_DENIED:"), denied.body());
    assertTrue(denied.body().contains("ratings closed"), denied.body());
  }

  @Test
  void anEmbeddedEnginesCachedVerdictsEndWithItsConfigVersion() throws Exception {
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
    // The sidecar's embedded wiring: the engine in-process, behind the same check cache.
    hook.use(engine, () -> CheckCache.create(10_000, Duration.ofMinutes(1), System::nanoTime));
    startProxy(hook);
    assertEquals(200, get().status());
    assertEquals(200, get().status(), "the verdict is served from the cache");

    assertEquals(List.of(), await(engine.apply(denyRatings(), 2)));
    // No report, no snapshot: the engine's version alone ends the verdict cached under version 1.
    Reply denied = get();
    assertEquals(403, denied.status(), denied.body());
    assertTrue(denied.body().contains("ratings closed"), denied.body());
  }

  @Test
  void aRulesHeaderOperationsChangeTheRequestAndTheResponseThroughARemoteMixerAndAnEmbeddedOne() throws Exception {
    assertEquals(List.of(), await(engine.apply(headerRule(null), 2)));
    Mixer remote = await(RemoteMixer.connect(grpc, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1")));
    for (Mixer mixer : List.of(remote, engine)) {
      MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
      // Cached, as a sidecar runs it: the second request's verdict (and its operations) come
      // from the cache, keyed on x-user, which the operations read.
      hook.use(mixer, () -> CheckCache.create(10_000, Duration.ofMinutes(1), System::nanoTime));
      startProxy(hook);
      String via = mixer == remote ? "remote Mixer" : "embedded engine";
      for (String user : List.of("jason", "jason", "kim")) {
        Reply r = get(Map.of("x-user", user, "x-secret", "hunter2", "x-tag", "client"));
        assertEquals(200, r.status(), via + ": " + r.body());
        io.vertx.core.json.JsonObject seen = new io.vertx.core.json.JsonObject(r.body());
        assertEquals(List.of("user-" + user), seen.getJsonArray("x-mixer-user").getList(), via + " REPLACE: " + r.body());
        assertEquals(List.of(), seen.getJsonArray("x-secret").getList(), via + " REMOVE: " + r.body());
        assertEquals(List.of("client", "a", "b"), seen.getJsonArray("x-tag").getList(), via + " APPEND: " + r.body());
        assertEquals("checked", r.headers().get("x-policy"), via + ": the response's REPLACE");
      }
      await(proxy.close());
      proxy = null;
    }
  }

  @Test
  void aDeniedRequestCarriesTheRulesResponseHeadersAndBadNamesAreRefusedAtConfigTime() throws Exception {
    assertEquals(List.of(), await(engine.apply(headerRule("closed"), 2)));
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
    hook.use(await(RemoteMixer.connect(grpc, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"))));
    startProxy(hook);
    Reply denied = get(Map.of("x-user", "jason"));
    assertEquals(403, denied.status(), denied.body());
    assertEquals("checked", denied.headers().get("x-policy"), "Istio's proxy applied the response's operations to a denial too");

    SourceLocation at = SourceLocation.unknown("ProxyMixerPathTest");
    for (String bad : List.of("content-length", "Transfer-Encoding", "host", "x bad", "x-ok\r\nx-injected")) {
      var errors = await(engine.apply(List.of(new Resource("config.istio.io/v1alpha2", "rule", "badheader", "istio-system",
          Map.of(), Map.of(), Map.of("requestHeaderOperations", List.of(Map.of("name", bad, "values", List.of("\"v\"")))), at)), 3));
      assertEquals(1, errors.size(), bad + ": " + errors);
      assertTrue(errors.get(0).toString().contains("spec.requestHeaderOperations[0].name"), errors.get(0).toString());
    }
  }

  @Test
  void reportsLeaveInBatchesOfTheirSizeAndTheRestAtClose() throws Exception {
    Mixer remote = await(RemoteMixer.connect(grpc, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1")));
    CountingMixer counting = new CountingMixer(remote);
    // Batches of 3 and a delay longer than the test: only size and close may send them.
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local", 3, Duration.ofHours(1));
    hook.use(counting);
    startProxy(hook);

    for (int i = 0; i < 7; i++) {
      assertEquals(200, get().status());
    }
    awaitCondition(() -> counting.answered.get() == 2, "two full batches answered");
    assertEquals(2, counting.calls.get(), "one Report call per 3 requests, not one per request");
    assertEquals(6, counting.sets.get());

    await(hook.close());
    assertEquals(3, counting.calls.get(), "the pending request is sent at close");
    assertEquals(3, counting.answered.get(), "close waits for Mixer's answer");
    assertEquals(7, counting.sets.get(), "no report lost");
  }

  @Test
  void aFailClosedSidecarAnswers503UntilItsMixerAnswersAndAgainWhenMixerFallsSilent() throws Exception {
    MixerLine line = new MixerLine();
    await(line.listen());
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
    // The sidecar's own wiring, with Istio's default policy (fail closed) and no check cache, so
    // every request asks Mixer.
    sidecarMixer = SidecarMixer.start(vertx, hook, null, SidecarMixer.Settings.of(
        Map.of("mixer", "127.0.0.1:" + line.port(), "mixerCheckCache", "false", "mixerCheckTimeout", "300ms"), 9091));
    startProxy(hook);

    Reply before = get();
    assertEquals(503, before.status(), before.body());
    assertTrue(before.body().startsWith("UNAVAILABLE:mixer unreachable: "), before.body());

    line.pipeTo(server.port());
    // The client keeps trying (every 5 s at the longest) and checks with Mixer once it answers.
    awaitCondition(() -> getQuietly().status() == 200, "the sidecar reaches Mixer and its checks pass");
    assertEquals(List.of(), await(engine.apply(denyRatings(), 2)));
    Reply denied = get();
    assertEquals(403, denied.status(), denied.body());

    line.cut(MixerLine.Mode.SILENT);
    // The first check may still meet the connection just closed; once a new one is open, Mixer
    // takes it and never answers, and the check times out.
    Reply cut = get();
    assertEquals(503, cut.status(), cut.body());
    assertTrue(cut.body().startsWith("UNAVAILABLE:mixer unreachable: "), cut.body());
    awaitCondition(() -> getQuietly().body().equals("UNAVAILABLE:mixer unreachable: no answer within 300 ms"),
        "a check Mixer does not answer within mixerCheckTimeout is answered 503");
  }

  @Test
  void aFailOpenSidecarPassesRequestsWhileMixerCannotAnswerAndEnforcesItWhenItCan() throws Exception {
    assertEquals(List.of(), await(engine.apply(denyRatings(), 2)));
    MixerLine line = new MixerLine();
    await(line.listen());
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
    sidecarMixer = SidecarMixer.start(vertx, hook, null, SidecarMixer.Settings.of(Map.of("mixer", "127.0.0.1:"
        + line.port(), "mixerCheckCache", "false", "mixerFailOpen", "true", "mixerCheckTimeout", "300ms"), 9091));
    startProxy(hook);

    assertEquals(200, get().status(), "Mixer not reached yet: the request passes unchecked (fail open)");
    line.pipeTo(server.port());
    awaitCondition(() -> getQuietly().status() == 403, "the sidecar reaches Mixer and enforces its deny rule");

    line.cut(MixerLine.Mode.SILENT);
    assertEquals(200, get().status(), "Mixer silent past mixerCheckTimeout: the request passes (fail open)");
    line.cut(MixerLine.Mode.PIPE);
    awaitCondition(() -> getQuietly().status() == 403, "the deny rule is enforced again once Mixer answers");
  }

  @Test
  void aSidecarWithQuotaPrefetchGrantsFromUnitsAskedAheadAndNeverMoreThanTheLimit() throws Exception {
    // Istio's ratings rate limit shape (a QuotaSpec bound to ratings charges 1 per request),
    // with 20 units per minute.
    var loaded = io.mizzen.kernel.config.ConfigLoader.create().read("quota.yaml", """
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: quotahandler, namespace: istio-system}
        spec:
          compiledAdapter: memquota
          params:
            quotas:
            - {name: requestcountquota.instance.istio-system, maxAmount: 20, validDuration: 60s}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: requestcountquota, namespace: istio-system}
        spec:
          compiledTemplate: quota
          params:
            dimensions:
              destination: destination.labels["app"] | destination.service.name | "unknown"
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: quota, namespace: istio-system}
        spec:
          actions: [{handler: quotahandler, instances: [requestcountquota]}]
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: QuotaSpec
        metadata: {name: request-count, namespace: istio-system}
        spec:
          rules: [{quotas: [{charge: 1, quota: requestcountquota}]}]
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: QuotaSpecBinding
        metadata: {name: request-count, namespace: istio-system}
        spec:
          quotaSpecs: [{name: request-count, namespace: istio-system}]
          services: [{name: ratings}]
        """);
    assertEquals(List.of(), loaded.errors());
    MixerEngine quotas = MixerEngine.create(new BenchContext(vertx, Files.createTempDirectory("quota")),
        EngineOptions.defaults(), List.of(new io.mizzen.plugins.memquota.MemquotaAdapter()));
    assertEquals(List.of(), await(quotas.apply(loaded.resources(), 1)));
    MixerServer quotaServer = await(MixerServer.start(vertx, quotas, "127.0.0.1", 0, 1));
    MixerHook hook = new MixerHook(vertx, ratings(), "cluster.local");
    sidecarMixer = SidecarMixer.start(vertx, hook, null, SidecarMixer.Settings.of(
        Map.of("mixer", "127.0.0.1:" + quotaServer.port(), "mixerQuotaPrefetch", "5"), 9091));
    startProxy(hook);
    awaitCondition(() -> getQuietly().status() == 200, "the sidecar reaches Mixer");
    int admitted = 1;
    List<Reply> refused = new java.util.ArrayList<>();
    for (int i = 0; i < 29; i++) {
      Reply r = get();
      if (r.status() == 200) {
        admitted++;
      } else {
        refused.add(r);
      }
    }
    assertEquals(20, admitted, "the limit, exactly: units pooled in the proxy were all granted by Mixer");
    assertEquals(10, refused.size());
    assertTrue(refused.stream().allMatch(r -> r.status() == 429 && r.body().startsWith("RESOURCE_EXHAUSTED:")),
        refused.toString());
    long calls = quotas.handlerCounts().get("quotahandler.handler.istio-system").calls();
    // 1 learning call, then one call per 6 units (1 + 5 prefetched) until the limit, then one per refusal.
    assertTrue(calls <= 6 + 10, "the 20 admitted requests took " + (calls - 10)
        + " quota calls; with a prefetch of 5, at most 6 were expected");

    // The QuotaSpecBinding goes: what the sidecar learnt and pooled goes with the config version.
    List<Resource> unbound = loaded.resources().stream().filter(r -> !r.kind().equals("QuotaSpecBinding")).toList();
    assertEquals(List.of(), await(quotas.apply(unbound, 2)));
    Reply first = get();
    assertTrue(first.status() == 200 || first.status() == 429, "the answer under the old version may still be 429: " + first);
    Reply next = get();
    assertEquals(200, next.status(), "once Mixer has answered under version 2 nothing charges ratings: " + next.body());
  }

  /**
   * A TCP line between the sidecar and Mixer that the test can cut: it refuses connections, or
   * carries them to Mixer, or takes them and never answers (a Mixer that hangs).
   */
  private final class MixerLine {
    enum Mode { REFUSE, PIPE, SILENT }

    private volatile Mode mode = Mode.REFUSE;
    private volatile int target;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    private final NetClient upstream = vertx.createNetClient();
    private NetServer server;

    Future<NetServer> listen() {
      server = vertx.createNetServer().connectHandler(socket -> {
        switch (mode) {
          case REFUSE -> socket.close();
          case SILENT -> {
            open.add(socket);
            socket.handler(ignored -> { });
          }
          case PIPE -> {
            socket.pause();
            upstream.connect(target, "127.0.0.1").onComplete(r -> {
              if (r.failed()) {
                socket.close();
                return;
              }
              NetSocket mixer = r.result();
              open.add(socket);
              open.add(mixer);
              socket.pipeTo(mixer);
              mixer.pipeTo(socket);
            });
          }
          default -> throw new IllegalStateException(mode.name());
        }
      });
      return server.listen(0, "127.0.0.1");
    }

    int port() {
      return server.actualPort();
    }

    void pipeTo(int mixerPort) {
      target = mixerPort;
      mode = Mode.PIPE;
    }

    /** Closes every connection it carries; new ones meet {@code next}. */
    void cut(Mode next) {
      mode = next;
      open.forEach(NetSocket::close);
      open.clear();
    }
  }

  /** Delegates to the real remote client and counts the Report calls and what they carried. */
  private static final class CountingMixer implements Mixer {
    final Mixer remote;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger sets = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();

    CountingMixer(Mixer remote) {
      this.remote = remote;
    }

    @Override
    public AttributeVocabulary vocabulary() {
      return remote.vocabulary();
    }

    @Override
    public Future<CheckResponse> check(CheckRequest request) {
      return remote.check(request);
    }

    @Override
    public Future<Void> report(List<AttributeBag> batch) {
      calls.incrementAndGet();
      sets.addAndGet(batch.size());
      return remote.report(batch).onSuccess(v -> answered.incrementAndGet());
    }
  }

  private void startProxy(MixerHook hook) throws Exception {
    proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(0, app.actualPort()),
        List.of(hook)));
    await(proxy.apply(new ProxySnapshot("1", List.of(), List.of())));
  }

  private static WorkloadInfo ratings() {
    return new WorkloadInfo("ratings", "default", Map.of("app", "ratings", "version", "v1"), "bookinfo-ratings",
        "127.0.0.1", 0);
  }

  private static List<Resource> denyRatings() {
    SourceLocation at = SourceLocation.unknown("ProxyMixerPathTest");
    return List.of(
        new Resource("config.istio.io/v1alpha2", "handler", "closed", "istio-system", Map.of(), Map.of(),
            Map.of("compiledAdapter", "denier", "params", Map.of("status", Map.of("code", 7, "message", "ratings closed"))), at),
        new Resource("config.istio.io/v1alpha2", "instance", "anyrequest", "istio-system", Map.of(), Map.of(),
            Map.of("compiledTemplate", "checknothing"), at),
        new Resource("config.istio.io/v1alpha2", "rule", "closeratings", "istio-system", Map.of(), Map.of(),
            Map.of("match", "destination.service.name == \"ratings\"",
                "actions", List.of(Map.of("handler", "closed", "instances", List.of("anyrequest")))), at));
  }

  /**
   * A rule on ratings' requests with header operations; with {@code denyWith}, it also sends them
   * to that denier handler (from {@link #denyRatings()}).
   */
  private static List<Resource> headerRule(String denyWith) {
    SourceLocation at = SourceLocation.unknown("ProxyMixerPathTest");
    Map<String, Object> spec = new java.util.LinkedHashMap<>(Map.of(
        "match", "destination.service.name == \"ratings\"",
        "requestHeaderOperations", List.of(
            Map.of("name", "x-mixer-user", "values", List.of("\"user-\" + (request.headers[\"x-user\"] | \"none\")")),
            Map.of("name", "x-secret", "operation", "REMOVE"),
            Map.of("name", "X-Tag", "values", List.of("\"a\"", "\"b\""), "operation", "APPEND")),
        "responseHeaderOperations", List.of(Map.of("name", "x-policy", "values", List.of("\"checked\"")))));
    List<Resource> all = new java.util.ArrayList<>();
    if (denyWith != null) {
      all.addAll(denyRatings().subList(0, 2));
      spec.put("actions", List.of(Map.of("handler", denyWith, "instances", List.of("anyrequest"))));
    }
    all.add(new Resource("config.istio.io/v1alpha2", "rule", "ratingsheaders", "istio-system", Map.of(), Map.of(), spec, at));
    return all;
  }

  private record Reply(int status, String body, io.vertx.core.MultiMap headers) {}

  private Reply get() throws Exception {
    return get(Map.of());
  }

  private Reply get(Map<String, String> headers) throws Exception {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET)
        .setServer(SocketAddress.inetSocketAddress(proxy.inboundPort(), "127.0.0.1"))
        .setHost("ratings").setPort(9080).setURI("/ratings/0").setTimeout(20_000);
    headers.forEach(o::addHeader);
    io.vertx.core.Promise<Reply> answered = io.vertx.core.Promise.promise();
    // Run on an event loop: a chain built on the test thread can ask for the body after Vert.x
    // 5.0.7 delivered its end, and the body then never completes (eclipse-vertx/vert.x#6038).
    vertx.runOnContext(v -> client.request(o).compose(r -> r.send().compose(resp -> resp.body()
            .map(b -> new Reply(resp.statusCode(), b.toString(), resp.headers()))))
        .onComplete(answered));
    return await(answered.future());
  }

  private Reply getQuietly() {
    try {
      return get();
    } catch (Exception e) {
      return new Reply(-1, e.toString(), io.vertx.core.MultiMap.caseInsensitiveMultiMap());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void awaitCondition(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
