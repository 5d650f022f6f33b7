package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.access.ResponseFlag;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timeouts, retries, circuit breaking, outlier ejection and load balancing over real sockets. */
class ResilienceTest {
  private Fixture f;
  private Mesh mesh;

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.start(f.options());
    mesh = new Mesh(f);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static String vs(String host, String routeExtras) {
    return "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: " + host + "}\n"
        + "spec:\n  hosts: [" + host + "]\n  http:\n  - route: [{destination: {host: " + host + "}}]\n" + routeExtras;
  }

  private static String dr(String host, String trafficPolicy) {
    return "---\napiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata: {name: " + host + "}\n"
        + "spec:\n  host: " + host + "\n  trafficPolicy:\n" + trafficPolicy;
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void serviceWithoutEndpointsIs503UhAtOnce() {
    mesh.instance("gone", "v1", 1);
    mesh.apply(vs("web", "") + dr("web", "    loadBalancer: {simple: ROUND_ROBIN}\n"));
    assertEquals(503, f.get("web:9080", "/warm-up").status());
    long start = System.nanoTime();
    Fixture.Reply r = f.get("web:9080", "/");
    assertEquals(503, r.status());
    assertEquals("no healthy upstream", r.body());
    assertTrue(System.nanoTime() - start < 1_000_000_000L);
    assertTrue(f.logEntry(e -> e.status() == 503).has(ResponseFlag.UH));
  }

  @Test
  void allEndpointsDownBecomeUhOnceEjected() throws Exception {
    mesh.instance("web", "v1", closedPort()).instance("web", "v2", closedPort());
    mesh.apply(vs("web", "") + dr("web", "    outlierDetection: {consecutiveGatewayErrors: 1, baseEjectionTime: 30s, maxEjectionPercent: 100}\n"));
    Fixture.Reply first = f.get("web:9080", "/first");
    assertEquals(503, first.status());
    AccessLogEntry failed = f.logEntry(e -> e.path().equals("/first"));
    assertTrue(failed.has(ResponseFlag.UF) || failed.has(ResponseFlag.UH), failed.toString());
    long start = System.nanoTime();
    Fixture.Reply later = f.get("web:9080", "/later");
    assertEquals(503, later.status());
    AccessLogEntry ejected = f.logEntry(e -> e.path().equals("/later"));
    assertTrue(ejected.has(ResponseFlag.UH), "both hosts are ejected now: " + ejected);
    assertTrue(System.nanoTime() - start < 1_000_000_000L, "no hang");
  }

  @Test
  void slowUpstreamIs504UtAtTheRouteTimeout() {
    HttpServer slow = f.upstream(req -> f.vertx.setTimer(3000, t -> req.response().end("late")));
    mesh.instance("web", "v1", slow.actualPort());
    mesh.apply(vs("web", "    timeout: 300ms\n"));
    long start = System.nanoTime();
    Fixture.Reply r = f.get("web:9080", "/");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(504, r.status());
    assertEquals("upstream request timeout", r.body());
    assertTrue(millis >= 290 && millis < 2000, "took " + millis + " ms");
    assertTrue(f.logEntry(e -> e.status() == 504).has(ResponseFlag.UT));
  }

  @Test
  void perTryTimeoutRetriesAnotherHost() {
    HttpServer slow = f.upstream(req -> f.vertx.setTimer(3000, t -> req.response().end("slow")));
    HttpServer fast = f.named("fast");
    mesh.instance("web", "v1", slow.actualPort()).instance("web", "v2", fast.actualPort());
    mesh.apply(vs("web", "    retries: {attempts: 2, perTryTimeout: 200ms, retryOn: 'reset,5xx'}\n"));
    for (int i = 0; i < 6; i++) {
      Fixture.Reply r = f.get("web:9080", "/" + i);
      assertEquals("fast", Bookinfo.servedBy(r));
    }
  }

  @Test
  void retriesOn5xxThenUrxWhenExhausted() {
    AtomicInteger failing = new AtomicInteger();
    HttpServer bad = f.upstream(req -> {
      failing.incrementAndGet();
      req.response().setStatusCode(503).end("bad");
    });
    HttpServer good = f.named("good");
    mesh.instance("web", "v1", bad.actualPort()).instance("web", "v2", good.actualPort());
    mesh.apply(vs("web", "    retries: {attempts: 3, retryOn: 5xx}\n"));
    for (int i = 0; i < 10; i++) {
      assertEquals(200, f.get("web:9080", "/").status());
    }
    assertTrue(failing.get() > 0, "the bad host was tried");
    mesh = new Mesh(f).instance("web", "v1", bad.actualPort());
    mesh.apply(vs("web", "    retries: {attempts: 2, retryOn: 5xx}\n"));
    int before = failing.get();
    Fixture.Reply r = f.get("web:9080", "/");
    assertEquals(503, r.status());
    assertEquals(3, failing.get() - before, "one try and two retries");
    assertTrue(f.logEntry(e -> e.status() == 503 && e.has(ResponseFlag.URX)).has(ResponseFlag.URX));
  }

  @Test
  void requestBodiesAreReplayedOnRetry() {
    HttpServer bad = f.upstream(req -> req.body().onSuccess(b -> req.response().setStatusCode(503).end("bad")));
    HttpServer good = f.upstream(req -> req.body().onSuccess(b -> req.response().end("good " + b.toString().length()
        + " " + b.toString().hashCode())));
    mesh.instance("web", "v1", bad.actualPort()).instance("web", "v2", good.actualPort());
    mesh.apply(vs("web", "    retries: {attempts: 3, retryOn: 5xx}\n"));
    String body = "payload-".repeat(5000);
    for (int i = 0; i < 6; i++) {
      Fixture.Reply r = f.send(io.vertx.core.http.HttpMethod.POST, "web:9080", "/", Map.of(), body);
      assertEquals(200, r.status(), r.body());
      assertEquals("good " + body.length() + " " + body.hashCode(), r.body());
    }
    String tooBig = "x".repeat(100 * 1024);
    int failures = 0;
    for (int i = 0; i < 6; i++) {
      if (f.send(io.vertx.core.http.HttpMethod.POST, "web:9080", "/", Map.of(), tooBig).status() == 503) {
        failures++;
      }
    }
    assertTrue(failures > 0, "bodies over 64 KiB are not kept, so they are not retried");
  }

  @Test
  void poolOverflowIs503Uo() {
    HttpServer slow = f.upstream(req -> f.vertx.setTimer(500, t -> req.response().end("ok")));
    mesh.instance("web", "v1", slow.actualPort());
    mesh.apply(vs("web", "") + dr("web",
        "    connectionPool:\n      tcp: {maxConnections: 1}\n      http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}\n"));
    List<Future<Fixture.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      replies.add(send("web:9080", "/" + i));
    }
    Map<Integer, Integer> statuses = new HashMap<>();
    for (Future<Fixture.Reply> r : replies) {
      statuses.merge(Fixture.await(r).status(), 1, Integer::sum);
    }
    assertEquals(2, statuses.getOrDefault(200, 0), statuses.toString());
    assertEquals(4, statuses.getOrDefault(503, 0), statuses.toString());
    AccessLogEntry overflow = f.logEntry(e -> e.status() == 503);
    assertTrue(overflow.has(ResponseFlag.UO));
    assertTrue(overflow.detail().contains("maxConnections 1"), overflow.detail());
    // An exchange is counted just before its access-log entry is written, which can come after the
    // client has its reply: once the other five entries are in, the counts are final.
    for (int i = 0; i < 3; i++) {
      f.logEntry(e -> e.status() == 503);
    }
    for (int i = 0; i < 2; i++) {
      f.logEntry(e -> e.status() == 200);
    }
    assertEquals(4L, f.proxy.stats().byFlag().get(ResponseFlag.UO), "the flag is counted for metrics");
    assertEquals(2L, f.proxy.stats().byStatus().get(200));
  }

  @Test
  void killedUpstreamUnderLoadKeepsErrorsBelowOnePercent() {
    List<HttpServer> servers = new ArrayList<>();
    for (String v : List.of("v1", "v2", "v3")) {
      HttpServer s = f.named("web-" + v);
      servers.add(s);
      mesh.instance("web", v, s.actualPort());
    }
    mesh.apply(vs("web", "") + dr("web",
        "    outlierDetection: {consecutiveGatewayErrors: 1, consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 30s, maxEjectionPercent: 100}\n"));
    int total = 3000;
    int errors = 0;
    int sent = 0;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (sent < total && System.nanoTime() < deadline) {
      if (sent == 600) {
        Fixture.await(servers.get(0).close());
      }
      List<Future<Fixture.Reply>> batch = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        batch.add(send("web:9080", "/" + (sent + i)).otherwise(e -> new Fixture.Reply(0, null, e.toString())));
      }
      for (Future<Fixture.Reply> r : batch) {
        if (Fixture.await(r).status() != 200) {
          errors++;
        }
      }
      sent += batch.size();
    }
    assertEquals(total, sent);
    assertTrue(errors * 100 < total, errors + " errors of " + total);
  }

  @Test
  void consistentHashKeepsAUserOnOneHost() {
    for (String v : List.of("v1", "v2", "v3")) {
      mesh.instance("web", v, f.named("web-" + v).actualPort());
    }
    mesh.apply(vs("web", "") + dr("web", "    loadBalancer:\n      consistentHash: {httpHeaderName: x-user}\n"));
    Map<String, String> hostOf = new HashMap<>();
    for (int round = 0; round < 3; round++) {
      for (int u = 0; u < 20; u++) {
        String host = Bookinfo.servedBy(f.get("web:9080", "/", Map.of("x-user", "user" + u)));
        String before = hostOf.putIfAbsent("user" + u, host);
        assertTrue(before == null || before.equals(host), "user" + u + " moved from " + before + " to " + host);
      }
    }
    assertTrue(new java.util.HashSet<>(hostOf.values()).size() > 1, "users spread over hosts: " + hostOf);
  }

  @Test
  void cookieAffinitySetsTheCookieAndKeepsTheClientOnOneHost() {
    for (String v : List.of("v1", "v2", "v3")) {
      mesh.instance("web", v, f.named("web-" + v).actualPort());
    }
    mesh.apply(vs("web", "") + dr("web", "    loadBalancer:\n      consistentHash: {httpCookie: {name: affinity, ttl: 60s}}\n"));
    for (int client = 0; client < 5; client++) {
      Fixture.Reply first = f.get("web:9080", "/");
      String setCookie = first.headers().get("set-cookie");
      assertTrue(setCookie != null && setCookie.startsWith("affinity=") && setCookie.contains("Max-Age=60"), setCookie);
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      String host = Bookinfo.servedBy(first);
      for (int i = 0; i < 10; i++) {
        Fixture.Reply again = f.get("web:9080", "/", Map.of("cookie", cookie));
        assertEquals(host, Bookinfo.servedBy(again), "client " + cookie + " moved");
        assertEquals(null, again.headers().get("set-cookie"));
      }
    }
  }

  @Test
  void passthroughGoesToTheAddressedHost() {
    HttpServer real = f.named("real");
    // Discovery names an unreachable address; PASSTHROUGH ignores it and uses the authority.
    mesh.instances.add(new io.mizzen.spi.discovery.ServiceInstance("local", "default", "127.0.0.1", "192.0.2.1",
        List.of(new io.mizzen.spi.discovery.ServicePort("http", real.actualPort(), real.actualPort(), "HTTP")),
        Map.of(), null, "test"));
    mesh.apply(dr("127.0.0.1", "    loadBalancer: {simple: PASSTHROUGH}\n").substring(4));
    assertEquals("real", Bookinfo.servedBy(f.get("127.0.0.1:" + real.actualPort(), "/")));
  }

  @Test
  void activeHealthChecksTakeFailingEndpointsOutAndBackIn() {
    java.util.concurrent.atomic.AtomicBoolean sick = new java.util.concurrent.atomic.AtomicBoolean(true);
    HttpServer flaky = f.upstream(req -> {
      if (req.path().equals("/healthz")) {
        req.response().setStatusCode(sick.get() ? 503 : 200).end();
      } else {
        req.response().end("flaky");
      }
    });
    HttpServer steady = f.named("steady");
    Fixture g = new Fixture();
    try {
      g.start(g.options().withHealthCheck(new ProxyOptions.HealthCheck("/healthz", java.time.Duration.ofMillis(100),
          java.time.Duration.ofMillis(500))));
      Mesh m = new Mesh(g).instance("web", "v1", flaky.actualPort()).instance("web", "v2", steady.actualPort());
      m.apply("");
      assertTrue(untilAll(g, "steady"), "the failing endpoint leaves the rotation");
      sick.set(false);
      assertTrue(untilSeen(g, "flaky"), "and comes back once its probe passes");
    } finally {
      g.close();
    }
  }

  /** Waits (bounded) until 20 requests in a row are served by {@code host}. */
  private static boolean untilAll(Fixture g, String host) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    int streak = 0;
    while (streak < 20 && System.nanoTime() < deadline) {
      streak = Bookinfo.servedBy(g.get("web:9080", "/")).equals(host) ? streak + 1 : 0;
    }
    return streak >= 20;
  }

  private static boolean untilSeen(Fixture g, String host) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Bookinfo.servedBy(g.get("web:9080", "/")).equals(host)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void leastConnAndRandomUseEveryHost() {
    for (String v : List.of("v1", "v2")) {
      mesh.instance("web", v, f.named("web-" + v).actualPort());
    }
    for (String lb : List.of("LEAST_CONN", "RANDOM")) {
      mesh.apply(vs("web", "") + dr("web", "    loadBalancer: {simple: " + lb + "}\n"));
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < 60; i++) {
        seen.merge(Bookinfo.servedBy(f.get("web:9080", "/")), 1, Integer::sum);
      }
      assertEquals(2, seen.size(), lb + ": " + seen);
    }
  }

  private Future<Fixture.Reply> send(String authority, String uri) {
    int colon = authority.lastIndexOf(':');
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
        .setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
        .setHost(authority.substring(0, colon)).setPort(Integer.parseInt(authority.substring(colon + 1)));
    return OneLoop.run(f.vertx, () -> f.client.request(o).compose(req -> req.send()
        .compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString())))));
  }
}
