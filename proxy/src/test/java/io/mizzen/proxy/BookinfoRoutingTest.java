package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.access.ResponseFlag;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Bookinfo tutorial's networking samples, loaded unchanged, behave as Istio documents them. */
class BookinfoRoutingTest {
  private Fixture f;
  private Bookinfo bookinfo;

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.start(f.options());
    bookinfo = new Bookinfo(f);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void notReadyUntilTheFirstSnapshot() {
    assertFalse(f.proxy.ready());
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml"));
    assertTrue(f.proxy.ready());
    assertEquals("1", f.proxy.version());
  }

  @Test
  void withoutVirtualServicesEveryVersionServes() {
    bookinfo.apply("1", List.of());
    Map<String, Integer> seen = count("reviews:9080", Map.of(), 60);
    assertEquals(3, seen.size(), "round robin over all reviews instances: " + seen);
  }

  @Test
  void allV1() {
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-all-v1.yaml"));
    for (String service : List.of("productpage", "reviews", "ratings", "details")) {
      Map<String, Integer> seen = count(service + ":9080", Map.of(), 20);
      assertEquals(Map.of(service + "-v1", 20), seen);
    }
    assertEquals(Map.of("reviews-v1", 10), count("reviews", Map.of(), 10), "the short name without port routes too");
    assertEquals(Map.of("reviews-v1", 10), count("reviews.default.svc.cluster.local:9080", Map.of(), 10));
  }

  @Test
  void jasonGoesToV2() {
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-all-v1.yaml",
        "virtual-service-reviews-test-v2.yaml"));
    assertEquals(Map.of("reviews-v2", 20), count("reviews:9080", Map.of("end-user", "jason"), 20));
    assertEquals(Map.of("reviews-v1", 20), count("reviews:9080", Map.of("end-user", "alice"), 20));
    assertEquals(Map.of("reviews-v1", 20), count("reviews:9080", Map.of(), 20));
    bookinfo.apply("2", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-reviews-jason-v2-v3.yaml"));
    assertEquals(Map.of("reviews-v2", 10), count("reviews:9080", Map.of("end-user", "jason"), 10));
    assertEquals(Map.of("reviews-v3", 10), count("reviews:9080", Map.of(), 10));
  }

  @Test
  void fiftyFiftyWeightsWithinFivePercentOver2000Requests() {
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-reviews-50-v3.yaml"));
    Map<String, Integer> seen = count("reviews:9080", Map.of(), 2000);
    int v1 = seen.getOrDefault("reviews-v1", 0);
    int v3 = seen.getOrDefault("reviews-v3", 0);
    assertEquals(2000, v1 + v3, "only v1 and v3: " + seen);
    assertTrue(Math.abs(v1 - 1000) <= 100, "v1 got " + v1 + " of 2000");
    bookinfo.apply("2", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-reviews-80-20.yaml"));
    Map<String, Integer> eighty = count("reviews:9080", Map.of(), 2000);
    assertTrue(Math.abs(eighty.getOrDefault("reviews-v1", 0) - 1600) <= 100, "80/20: " + eighty);
  }

  @Test
  void ratingsAbort500ForJason() {
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-all-v1.yaml",
        "virtual-service-ratings-test-abort.yaml"));
    Fixture.Reply aborted = f.get("ratings:9080", "/ratings/0", Map.of("end-user", "jason"));
    assertEquals(500, aborted.status());
    assertEquals("fault filter abort", aborted.body());
    assertTrue(f.logEntry(e -> e.status() == 500).has(ResponseFlag.FI));
    assertEquals(200, f.get("ratings:9080", "/ratings/0").status());
  }

  @Test
  void detailsAbort555() {
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml", "fault-injection-details-v1.yaml"));
    for (int i = 0; i < 5; i++) {
      assertEquals(555, f.get("details:9080", "/details/0").status());
    }
  }

  @Test
  void ratingsDelayOfSevenSecondsForJason() {
    bookinfo.apply("1", Bookinfo.samples("destination-rule-all.yaml", "virtual-service-ratings-test-delay.yaml"));
    long start = System.nanoTime();
    Fixture.Reply delayed = f.get("ratings:9080", "/ratings/0", Map.of("end-user", "jason"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(200, delayed.status());
    assertTrue(millis >= 7000 && millis < 9000, "took " + millis + " ms");
    assertTrue(f.logEntry(e -> e.status() == 200 && e.durationMillis() >= 7000).has(ResponseFlag.DI));
    start = System.nanoTime();
    assertEquals(200, f.get("ratings:9080", "/ratings/0").status());
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "others are not delayed");
  }

  @Test
  void ingressGatewayServesTheBookinfoGateway() {
    Fixture g = new Fixture();
    try {
      g.start(ProxyOptions.sidecar().withOutboundPort(0).withGateways(java.util.Set.of())
          .withSourceLabels(Map.of("istio", "ingressgateway")).withAccessLog(g.log::add));
      Fixture.await(g.proxy.apply(new io.mizzen.spi.proxy.ProxySnapshot("1",
          Bookinfo.samples("bookinfo-gateway.yaml", "destination-rule-all.yaml", "virtual-service-all-v1.yaml"),
          bookinfo.instances)));
      Fixture.Reply page = g.get("bookinfo.example:80", "/productpage");
      assertEquals("productpage-v1", Bookinfo.servedBy(page), page.body());
      assertEquals(404, g.get("bookinfo.example:80", "/other").status(), "only the gateway's routes");
      assertEquals("productpage-v1", Bookinfo.servedBy(g.get("reviews:9080", "/productpage")),
          "the gateway's '*' host takes every authority; mesh routes for reviews are not exposed");
    } finally {
      g.close();
    }
    bookinfo.apply("1", Bookinfo.samples("bookinfo-gateway.yaml", "destination-rule-all.yaml"));
    Fixture.Reply sidecar = f.get("reviews:9080", "/productpage");
    assertTrue(Bookinfo.servedBy(sidecar).startsWith("reviews-"), "a sidecar ignores the gateway's VirtualService");
  }

  @Test
  void unknownSubsetHasNoHealthyUpstream() {
    bookinfo.apply("1", Bookinfo.samples("virtual-service-all-v1.yaml"));
    Fixture.Reply r = f.get("reviews:9080", "/");
    assertEquals(503, r.status());
    assertTrue(f.logEntry(e -> e.status() == 503).has(ResponseFlag.UH));
  }

  /** Sends {@code n} requests, 50 at a time, and counts which upstream answered. */
  private Map<String, Integer> count(String authority, Map<String, String> headers, int n) {
    Map<String, Integer> seen = new HashMap<>();
    int done = 0;
    while (done < n) {
      int batch = Math.min(50, n - done);
      List<Future<Fixture.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        replies.add(send(authority, headers));
      }
      for (Future<Fixture.Reply> r : replies) {
        Fixture.Reply reply = Fixture.await(r);
        assertEquals(200, reply.status(), reply.body());
        seen.merge(Bookinfo.servedBy(reply), 1, Integer::sum);
      }
      done += batch;
    }
    return seen;
  }

  private Future<Fixture.Reply> send(String authority, Map<String, String> headers) {
    int colon = authority.lastIndexOf(':');
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI("/")
        .setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
        .setHost(colon < 0 ? authority : authority.substring(0, colon))
        .setPort(colon < 0 ? 80 : Integer.parseInt(authority.substring(colon + 1)));
    headers.forEach(o::putHeader);
    return OneLoop.run(f.vertx, () -> f.client.request(o).compose(req -> req.send()
        .compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString())))));
  }
}
