package io.mizzen.bench.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.config.Loaded;
import io.mizzen.kernel.config.ConfigLoader;
import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.plugins.listchecker.ListcheckerAdapter;
import io.mizzen.plugins.memquota.MemquotaAdapter;
import io.mizzen.plugins.prometheus.PrometheusAdapter;
import io.mizzen.plugins.stdio.StdioAdapter;
import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Istio 1.4's Bookinfo policy and telemetry samples, unchanged from {@code ../shared/istio-samples},
 * through real proxies: a caller's sidecar (outbound, which says who is calling) in front of the
 * destination's sidecar (inbound, with the Mixer hook, its check cache on and reports batched, as
 * deployed), against a real Mixer server over gRPC with the real denier, listchecker, memquota,
 * prometheus and stdio adapters. {@link BookinfoSamplesThroughEmbeddedMixerTest} runs the same
 * cases with the engine in the destination sidecars.
 */
class BookinfoSamplesThroughProxiesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private MixerEngine engine;
  private MixerServer server;
  private GrpcClient grpc;
  private HttpClient client;
  private final Map<String, MeshProxy> destinations = new LinkedHashMap<>();
  private final Map<String, MixerHook> hooks = new LinkedHashMap<>();
  private final PrometheusAdapter prometheus = new PrometheusAdapter();
  private final List<MeshProxy> proxies = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    Path state = Files.createTempDirectory("policy-samples");
    // The prometheus adapter serves /metrics on an ephemeral port here, not Istio's 42422.
    MeshContext context = MeshContext.standalone(vertx, state, Map.of("prometheus", Map.of("port", 0)), List.of());
    engine = MixerEngine.create(context, EngineOptions.defaults(),
        List.of(new DenierAdapter(), new ListcheckerAdapter(), new MemquotaAdapter(), prometheus, new StdioAdapter()));
    server = await(MixerServer.start(vertx, engine, "127.0.0.1", 0, 1));
    grpc = GrpcClient.client(vertx);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (MeshProxy p : proxies) {
      await(p.close());
    }
    await(vertx.close());
  }

  /** Loads samples with the control plane's own YAML loader and applies them to Mixer. */
  private void apply(String... samples) throws Exception {
    List<Resource> resources = new ArrayList<>();
    for (String s : samples) {
      Loaded loaded = ConfigLoader.create().read(shared().resolve(s));
      assertEquals(List.of(), loaded.errors(), s);
      resources.addAll(loaded.resources());
    }
    assertEquals(List.of(), await(engine.apply(resources, 1)), "the samples compile");
    // Every destination sidecar runs an app that answers with its name, behind its Mixer hook.
    for (String app : List.of("productpage", "details", "reviews", "ratings")) {
      int appPort = await(vertx.createHttpServer().requestHandler(r -> r.response().end(app + " ok"))
          .listen(0, "127.0.0.1")).actualPort();
      WorkloadInfo w = workload(app, "v1");
      MixerHook hook = new MixerHook(vertx, w, "cluster.local");
      Mixer mixer = embedded() ? engine
          : await(RemoteMixer.connect(grpc, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1")));
      hook.use(mixer, () -> CheckCache.create(10_000, Duration.ofSeconds(2), System::nanoTime));
      MeshProxy p = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(-1).withInbound(0, appPort)
          .withSourceLabels(w.labels()), List.of(hook)));
      p.metrics().identify(w);
      proxies.add(p);
      destinations.put(app, p);
      hooks.put(app, hook);
    }
  }

  /**
   * Whether the destination sidecars run the engine themselves (the embedded mode, whose bags
   * carry only what the config reads) instead of calling Mixer's server through its gRPC client.
   */
  boolean embedded() {
    return false;
  }

  private static WorkloadInfo workload(String app, String version) {
    return new WorkloadInfo(app, "default", Map.of("app", app, "version", version), "bookinfo-" + app, "127.0.0.1", 9080);
  }

  /** A caller's sidecar: its outbound listener routes by Host to the destinations' inbounds. */
  private MeshProxy caller(String app, String version) throws Exception {
    return caller(workload(app, version));
  }

  private MeshProxy caller(WorkloadInfo w) throws Exception {
    MeshProxy p = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withSourceLabels(w.labels()),
        List.of()));
    p.metrics().identify(w);
    List<ServiceInstance> instances = new ArrayList<>();
    destinations.forEach((name, d) -> instances.add(new ServiceInstance(name, "default", name + ".default.svc.cluster.local",
        "127.0.0.1", List.of(new ServicePort("http", 9080, d.inboundPort(), "HTTP")), Map.of("app", name, "version", "v1"),
        "bookinfo-" + name, "test")));
    await(p.apply(new ProxySnapshot("1", List.of(), instances)));
    proxies.add(p);
    return p;
  }

  private record Reply(int status, String body) {}

  private Reply call(MeshProxy from, String to, Map<String, String> headers) throws Exception {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET)
        .setServer(SocketAddress.inetSocketAddress(from.outboundPort(), "127.0.0.1"))
        .setHost(to).setPort(9080).setURI("/").setTimeout(20_000);
    headers.forEach(o::putHeader);
    io.vertx.core.Promise<Reply> answered = io.vertx.core.Promise.promise();
    // Run on an event loop: a chain built on the test thread can ask for the body after Vert.x
    // 5.0.7 delivered its end, and the body then never completes (eclipse-vertx/vert.x#6038).
    vertx.runOnContext(v -> client.request(o).compose(r -> r.send().compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))))
        .onComplete(answered));
    return await(answered.future());
  }

  @Test
  void denialByLabel() throws Exception {
    apply("bookinfo/policy/mixer-rule-deny-label.yaml");
    Reply v3 = call(caller("reviews", "v3"), "ratings", Map.of());
    assertEquals(403, v3.status(), v3.body());
    assertEquals("PERMISSION_DENIED:denyreviewsv3handler.handler.default:Not allowed", v3.body());
    assertEquals(200, call(caller("reviews", "v2"), "ratings", Map.of()).status());
    assertEquals(200, call(caller("reviews", "v3"), "details", Map.of()).status(), "the rule guards ratings only");
  }

  @Test
  void whitelistByVersion() throws Exception {
    apply("bookinfo/policy/mixer-rule-deny-whitelist.yaml");
    Reply v3 = call(caller("reviews", "v3"), "ratings", Map.of());
    assertEquals(404, v3.status(), v3.body());
    assertTrue(v3.body().contains("v3 is not whitelisted"), v3.body());
    assertEquals(200, call(caller("reviews", "v1"), "ratings", Map.of()).status());
  }

  @Test
  void denialOfJohn() throws Exception {
    apply("bookinfo/policy/mixer-rule-ratings-denial.yaml");
    MeshProxy productpage = caller("productpage", "v1");
    assertEquals(403, call(productpage, "reviews", Map.of("x-user", "john")).status());
    assertEquals(200, call(productpage, "reviews", Map.of("x-user", "jason")).status());
    assertEquals(200, call(productpage, "reviews", Map.of()).status(), "no header: the | default applies");
  }

  @Test
  void denialByServiceAccount() throws Exception {
    apply("bookinfo/policy/mixer-rule-deny-serviceaccount.yaml");
    Reply productpage = call(caller("productpage", "v1"), "details", Map.of());
    assertEquals(403, productpage.status(), productpage.body());
    assertEquals(200, call(caller("reviews", "v1"), "details", Map.of()).status());
  }

  @Test
  void denialByIpAtTheProductpage() throws Exception {
    apply("bookinfo/policy/mixer-rule-deny-ip.yaml");
    // The rule guards calls from the ingress gateway; its whitelist is 10.57.0.0/16, and the
    // gateway's sidecar reaches productpage's from 127.0.0.1.
    MeshProxy gateway = caller(new WorkloadInfo("istio-ingressgateway", "istio-system",
        Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"), "istio-ingressgateway-service-account", "127.0.0.1", 0));
    Reply outside = call(gateway, "productpage", Map.of());
    assertEquals(404, outside.status(), outside.body());
    assertTrue(outside.body().contains("127.0.0.1 is not whitelisted"), outside.body());
    assertEquals(200, call(caller("reviews", "v1"), "productpage", Map.of()).status(), "others are not held to it");
  }

  @Test
  void productpageRateLimitAnswers429OnceTheQuotaIsSpent() throws Exception {
    apply("bookinfo/policy/mixer-rule-productpage-ratelimit.yaml");
    MeshProxy caller = caller("istio-ingressgateway", "v1");
    // The sample's override: productpage gets 2 requests per 5 s; a third in that window is refused.
    assertEquals(200, call(caller, "productpage", Map.of()).status());
    assertEquals(200, call(caller, "productpage", Map.of()).status());
    Reply third = call(caller, "productpage", Map.of());
    assertEquals(429, third.status(), third.body());
    assertTrue(third.body().startsWith("RESOURCE_EXHAUSTED:"), third.body());
    assertEquals(200, call(caller, "reviews", Map.of()).status(), "reviews is not bound to the QuotaSpec");
  }

  @Test
  void ratingsRateLimitsDependOnTheSource() throws Exception {
    apply("bookinfo/policy/mixer-rule-ratings-ratelimit.yaml");
    MeshProxy reviews = caller("reviews", "v2");
    assertEquals(200, call(reviews, "ratings", Map.of()).status());
    assertEquals(429, call(reviews, "ratings", Map.of()).status(), "reviews → ratings: 1 per second");
    MeshProxy productpage = caller("productpage", "v1");
    assertEquals(200, call(productpage, "ratings", Map.of()).status());
    assertEquals(200, call(productpage, "ratings", Map.of()).status(), "other sources → ratings: 100 per second");
  }

  @Test
  void doubleRequestCountAndLogEntriesFromTheReports() throws Exception {
    apply("bookinfo/telemetry/metrics.yaml", "bookinfo/telemetry/log-entry.yaml");
    java.io.ByteArrayOutputStream logged = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    // stdio's handler writes to standard output: kept (and passed on) for the length of the test.
    System.setOut(new java.io.PrintStream(new java.io.OutputStream() {
      @Override
      public synchronized void write(int b) {
        stdout.write(b);
        logged.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        stdout.write(b, off, len);
        logged.write(b, off, len);
      }
    }, true));
    try {
      MeshProxy productpage = caller("productpage", "v1");
      for (int i = 0; i < 3; i++) {
        assertEquals(200, call(productpage, "reviews", Map.of()).status());
      }
      await(hooks.get("reviews").flushReports());
      String line = "istio_double_request_count{reporter=\"server\",source=\"productpage-v1\",destination=\"reviews-v1\","
          + "message=\"twice the fun!\"} 6";
      awaitCondition(() -> prometheus.scrape().contains(line), () -> "no '" + line + "' in\n" + prometheus.scrape());
      awaitCondition(() -> logged.toString().lines().filter(l -> l.contains("newlog")).count() == 3,
          () -> "3 newlog entries, saw: " + logged);
      String entry = logged.toString().lines().filter(l -> l.contains("newlog")).findFirst().orElseThrow();
      for (String field : List.of("\"level\":\"warn\"", "\"instance\":\"newlog.instance.istio-system\"", "\"responseSize\":10", "\"source\":\"productpage\"", "\"destination\":\"reviews\"",
          "\"responseCode\":200", "\"user\":\"cluster.local/ns/default/sa/bookinfo-productpage\"")) {
        assertTrue(entry.contains(field), field + " in " + entry);
      }
      assertTrue(!entry.contains("\"latency\":\"0s\""), "the latency is measured: " + entry);
    } finally {
      System.setOut(stdout);
    }
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what.get());
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  /** The samples folder: {@code -Dmizzen.shared}, else the {@code shared} folder beside the checkout. */
  private static Path shared() {
    String configured = System.getProperty("mizzen.shared");
    if (configured != null) {
      return Path.of(configured).resolve("istio-samples");
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolveSibling("shared").resolve("istio-samples");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/istio-samples beside the checkout: set -Dmizzen.shared");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
