package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two real sidecars with certificates from a test mesh root: productpage's outbound to reviews
 * under an ISTIO_MUTUAL DestinationRule, and reviews' PERMISSIVE inbound in front of its app.
 */
class MutualTlsProxyTest {
  private final Vertx vertx = io.mizzen.proxy.MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final HttpClient client = vertx.createHttpClient();
  private TestPki mesh;
  private MeshProxy reviews;
  private MeshProxy productpage;

  @BeforeEach
  void setUp() throws Exception {
    mesh = new TestPki("mesh");
    HttpServer app = await(vertx.createHttpServer()
        .requestHandler(req -> req.response().end("reviews saw " + req.getHeader("x-mizzen-peer")))
        .listen(0, "127.0.0.1"));
    reviews = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(0, app.actualPort()),
        List.of(), MeshTls.create(new HeldCertificates(mesh.workload("reviews"))), "cluster.local"));
    productpage = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0), List.of(),
        MeshTls.create(new HeldCertificates(mesh.workload("productpage"))), "cluster.local"));
  }

  @AfterEach
  void tearDown() {
    await(Future.join(productpage.close(), reviews.close()));
    await(vertx.close());
  }

  private void route(Map<String, Object> tls) {
    ServiceInstance instance = new ServiceInstance("reviews", "default", "reviews.default.svc.cluster.local",
        "127.0.0.1", List.of(new ServicePort("http", 9080, reviews.inboundPort(), "HTTP")),
        Map.of("app", "reviews", "version", "v1"), "reviews", "test");
    Resource rule = new Resource("networking.istio.io/v1alpha3", "DestinationRule", "reviews", "default", null, null,
        Map.of("host", "reviews", "trafficPolicy", Map.of("tls", tls)), new SourceLocation("inline", 0, 1));
    await(productpage.apply(new ProxySnapshot("1", List.of(rule), List.of(instance))));
  }

  private String[] get(int port, String host) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(host).setPort(9080).setURI("/reviews/1").setTimeout(10_000);
    Future<String[]> reply = io.mizzen.proxy.OneLoop.run(vertx, () -> client.request(o).compose(r -> r.send())
        .compose(resp -> resp.body().map(b -> new String[] {Integer.toString(resp.statusCode()), b.toString()})));
    try {
      return reply.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Say where the request stood: whether either proxy held the connection, and what they counted.
      throw new AssertionError("GET " + host + " via 127.0.0.1:" + port + " failed: " + e
          + "; open connections: reviews " + reviews.connections() + ", productpage " + productpage.connections()
          + "; reviews metrics:\n" + reviews.metrics().render(), e);
    }
  }

  @Test
  void istioMutualPresentsTheWorkloadCertificateAndTheInboundSeesItsSpiffeIdentity() {
    route(Map.of("mode", "ISTIO_MUTUAL"));
    String[] reply = get(productpage.outboundPort(), "reviews");
    assertEquals("200", reply[0], reply[1]);
    // The inbound put the certificate's principal in the peer header it passed on.
    assertTrue(reply[1].contains("cluster.local/ns/default/sa/productpage"), reply[1]);
    String stats = statsOnceCounted();
    assertTrue(stats.lines().anyMatch(l -> l.startsWith("istio_requests_total{")
        && l.contains("connection_security_policy=\"mutual_tls\"")
        && l.contains("source_principal=\"spiffe://cluster.local/ns/default/sa/productpage\"")), stats);
  }

  @Test
  void permissiveInboundAlsoTakesPlainText() {
    String[] reply = get(reviews.inboundPort(), "reviews");
    assertEquals("200", reply[0], reply[1]);
    String stats = statsOnceCounted();
    assertTrue(stats.lines().anyMatch(l -> l.startsWith("istio_requests_total{")
        && l.contains("connection_security_policy=\"none\"")), stats);
  }

  @Test
  void anEndpointWithoutTheExpectedIdentityIsRefused() {
    route(Map.of("mode", "ISTIO_MUTUAL", "subjectAltNames", List.of("spiffe://cluster.local/ns/default/sa/ratings")));
    String[] reply = get(productpage.outboundPort(), "reviews");
    assertEquals("503", reply[0], reply[1]);
  }

  @Test
  void withoutIstioMutualTheUpstreamConnectionStaysPlainText() {
    route(Map.of("mode", "DISABLE"));
    assertEquals("200", get(productpage.outboundPort(), "reviews")[0]);
    String stats = statsOnceCounted();
    assertTrue(stats.contains("connection_security_policy=\"none\""), stats);
    assertTrue(!stats.contains("mutual_tls"), stats);
  }

  /** reviews' metrics once its inbound has counted a request (counted just after the reply is sent). */
  private String statsOnceCounted() {
    io.vertx.core.Promise<String> counted = io.vertx.core.Promise.promise();
    long timer = vertx.setPeriodic(5, id -> {
      String text = reviews.metrics().render();
      if (text.contains("istio_requests_total{")) {
        counted.tryComplete(text);
      }
    });
    try {
      return await(counted.future());
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  private static <T> T await(Future<T> f) {
    return Sidecars.await(f, 20);
  }
}
