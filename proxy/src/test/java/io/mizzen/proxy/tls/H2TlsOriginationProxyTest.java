package io.mizzen.proxy.tls;

import static io.mizzen.proxy.tls.OriginationPki.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.OneLoop;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.impl.GrpcClientImpl;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS origination (DestinationRule SIMPLE / MUTUAL) to a cluster whose port is HTTP/2 or gRPC:
 * the proxy offers ALPN h2 and http/1.1 and speaks HTTP/2 streams over the TLS connection when
 * the server picks h2, HTTP/1.1 on the same connection when it picks http/1.1 or answers no ALPN.
 * Upstreams are real Vert.x TLS servers that say which protocol they saw.
 */
class H2TlsOriginationProxyTest {
  private static final String HOST = "secure.example.com";
  private final Vertx vertx = io.mizzen.proxy.MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final HttpClient client = vertx.createHttpClient();
  private final List<AccessLogEntry> log = new CopyOnWriteArrayList<>();
  /** The {@code /hold} request the upstream is holding, unanswered. */
  private final Promise<HttpServerRequest> held = Promise.promise();
  /** The upstreams' connections, as they were accepted. */
  private final List<io.vertx.core.http.HttpConnection> live = new CopyOnWriteArrayList<>();
  @TempDir
  Path dir;
  private OriginationPki pki;
  private MeshProxy proxy;
  private int version;

  /** A TLS upstream: its port and the TCP connections it accepted. */
  private record Upstream(int port, AtomicInteger connections) {}

  @BeforeEach
  void setUp() throws Exception {
    pki = new OriginationPki(dir);
    proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withAccessLog(log::add)));
  }

  @AfterEach
  void tearDown() {
    await(proxy.close());
    await(vertx.close());
  }

  /**
   * A Vert.x TLS server for {@value #HOST} answering {@code <version> client=<subject>}, gRPC
   * calls ({@code Unary}: hello, or NOT_FOUND for "fail") and holding {@code /hold}.
   *
   * @param alpn the protocols it picks from by ALPN; empty: no ALPN at all
   */
  private Upstream upstream(List<HttpVersion> alpn, boolean requireClientCertificate) throws Exception {
    HttpServerOptions options = pki.serverOptions(HOST, requireClientCertificate).setUseAlpn(!alpn.isEmpty());
    if (!alpn.isEmpty()) {
      options.setAlpnVersions(alpn);
    }
    GrpcServer grpc = GrpcServer.server(vertx).callHandler(req -> req.handler(msg -> {
      if (msg.toString().equals("fail")) {
        req.response().status(GrpcStatus.NOT_FOUND).statusMessage("no such greeting").end();
      } else {
        req.response().end(Buffer.buffer("hello " + msg));
      }
    }));
    AtomicInteger connections = new AtomicInteger();
    HttpServer server = await(vertx.createHttpServer(options)
        .connectionHandler(c -> {
          connections.incrementAndGet();
          live.add(c);
        })
        .requestHandler(req -> {
          String type = req.getHeader("content-type");
          if (type != null && type.startsWith("application/grpc")) {
            grpc.handle(req);
          } else if (req.path().equals("/hold")) {
            held.tryComplete(req);
          } else {
            req.response().end(req.version() + " client=" + Sidecars.clientSubject(req));
          }
        })
        .listen(0, "127.0.0.1"));
    return new Upstream(server.actualPort(), connections);
  }

  /** {@value #HOST}:443 at the upstream, its port named {@code portName}, with the DestinationRule's trafficPolicy. */
  private void route(Upstream upstream, String portName, Map<String, Object> trafficPolicy, Resource... more) {
    ServiceInstance instance = new ServiceInstance("secure", "default", HOST, "127.0.0.1",
        List.of(new ServicePort(portName, 443, upstream.port(), "")), Map.of(), "default", "test");
    List<Resource> resources = new ArrayList<>(List.of(more));
    resources.add(resource("DestinationRule", "secure", Map.of("host", HOST, "trafficPolicy", trafficPolicy)));
    await(proxy.apply(new ProxySnapshot(Integer.toString(++version), resources, List.of(instance))));
  }

  private Map<String, Object> simple() {
    return Map.of("tls", Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString()));
  }

  private Future<String[]> send(String path) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(proxy.outboundPort(), "127.0.0.1"))
        .setHost(HOST).setPort(443).setURI(path).setTimeout(20_000);
    return OneLoop.run(vertx, () -> client.request(o).compose(r -> r.send()
        .compose(resp -> resp.body().map(b -> new String[] {Integer.toString(resp.statusCode()), b.toString()}))));
  }

  private String[] get(String path) {
    return await(send(path));
  }

  @Test
  void anHttp2PortSpeaksHttp2ToAServerPickingH2() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "http2", simple());
    for (int i = 0; i < 10; i++) {
      String[] reply = get("/n" + i);
      assertEquals("200", reply[0], reply[1]);
      assertEquals("HTTP_2 client=none", reply[1]);
    }
    // Streams of one connection per proxy event loop.
    assertTrue(up.connections().get() <= 2, "connections: " + up.connections().get());
  }

  @Test
  void aConnectionTheServerSentGoawayOnIsReplaced() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "http2", simple());
    for (int i = 0; i < 4; i++) {
      assertEquals("HTTP_2 client=none", get("/n" + i)[1]);
    }
    int before = up.connections().get();
    // GOAWAY, then close: the proxy's next exchanges need new connections.
    for (io.vertx.core.http.HttpConnection c : live) {
      await(c.shutdown(0, java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    for (int i = 0; i < 4; i++) {
      String[] reply = get("/again" + i);
      assertEquals("200", reply[0], reply[1]);
      assertEquals("HTTP_2 client=none", reply[1]);
    }
    assertTrue(up.connections().get() > before, "connections: " + up.connections().get());
  }

  @Test
  void grpcOverOriginatedTlsCarriesTheStatusTrailers() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "grpc", simple());
    GrpcClientImpl grpc = (GrpcClientImpl) GrpcClient.client(vertx,
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      java.util.function.Function<String, Future<String>> call = text -> OneLoop.run(vertx, () -> grpc.request(
              new RequestOptions().setMethod(HttpMethod.POST).setHost(HOST).setPort(443)
                  .setServer(SocketAddress.inetSocketAddress(proxy.outboundPort(), "127.0.0.1")))
          .compose(req -> {
            req.fullMethodName("test.Echo/Unary");
            Promise<String> done = Promise.promise();
            req.response().onFailure(done::tryFail).onSuccess(resp -> {
              StringBuilder got = new StringBuilder();
              resp.handler(b -> got.append(b));
              resp.endHandler(v -> done.tryComplete(resp.status().name() + " " + resp.statusMessage() + " " + got));
              resp.exceptionHandler(e -> done.tryComplete(resp.status() + " " + e));
            });
            req.end(Buffer.buffer(text));
            return done.future();
          }));
      assertEquals("OK null hello world", await(call.apply("world")));
      assertEquals("NOT_FOUND no such greeting ", await(call.apply("fail")));
    } finally {
      await(grpc.close());
    }
  }

  @Test
  void mutualOriginationPresentsTheClientCertificateOverH2() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), true);
    route(up, "http2", Map.of("tls", Map.of("mode", "MUTUAL", "caCertificates", pki.caFile.toString(),
        "clientCertificate", pki.clientCert.toString(), "privateKey", pki.clientKey.toString())));
    String[] reply = get("/");
    assertEquals("200", reply[0], reply[1]);
    assertEquals("HTTP_2 client=CN=mizzen-client", reply[1]);
  }

  @Test
  void aServerPickingHttp11IsSpokenHttp11OnThatConnection() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_1_1), false);
    route(up, "http2", simple());
    for (int i = 0; i < 10; i++) {
      String[] reply = get("/n" + i);
      assertEquals("200", reply[0], reply[1]);
      assertEquals("HTTP_1_1 client=none", reply[1]);
    }
    // The connection that answered http/1.1 is pooled and reused like any HTTP/1.1 one.
    assertTrue(up.connections().get() <= 2, "connections: " + up.connections().get());
    // Many at once while a connection negotiates: each gets an HTTP/1.1 connection.
    List<Future<String[]>> many = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      many.add(send("/c" + i));
    }
    for (Future<String[]> f : many) {
      String[] reply = await(f);
      assertEquals("200", reply[0], reply[1]);
      assertEquals("HTTP_1_1 client=none", reply[1]);
    }
  }

  @Test
  void aServerAnsweringNoAlpnIsSpokenHttp11() throws Exception {
    Upstream up = upstream(List.of(), false);
    route(up, "grpc-api", simple());
    String[] reply = get("/");
    assertEquals("200", reply[0], reply[1]);
    assertEquals("HTTP_1_1 client=none", reply[1]);
  }

  @Test
  void anHttpPortOffersOnlyHttp11EvenToAnH2Server() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "http", simple());
    String[] reply = get("/");
    assertEquals("200", reply[0], reply[1]);
    assertEquals("HTTP_1_1 client=none", reply[1]);
  }

  @Test
  void aHandshakeFailureAnswers503Uf() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "http2", Map.of("tls", Map.of("mode", "SIMPLE", "caCertificates", pki.otherCaFile.toString())));
    String[] reply = get("/");
    assertEquals("503", reply[0], reply[1]);
    AccessLogEntry e = logged(x -> x.status() == 503);
    assertTrue(e.has(ResponseFlag.UF), e.toString());
    assertTrue(e.detail().contains("TLS handshake with 127.0.0.1:" + up.port() + " failed"), e.detail());
    assertTrue(e.detail().contains("DestinationRule default/secure: trafficPolicy.tls"), e.detail());
    route(up, "http2", simple());
    assertEquals("HTTP_2 client=none", get("/")[1]);
  }

  @Test
  void http2MaxRequestsAndMaxRequestsPerConnectionHoldOverTls() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "http2", Map.of("tls", Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString()),
        "connectionPool", Map.of("http", Map.of("http2MaxRequests", 1, "maxRequestsPerConnection", 2))));
    Future<String[]> holding = send("/hold");
    HttpServerRequest heldRequest = await(held.future());
    String[] over = get("/over");
    assertEquals("503", over[0], over[1]);
    AccessLogEntry e = logged(x -> x.has(ResponseFlag.UO));
    assertEquals(503, e.status(), e.toString());
    heldRequest.response().end("released");
    assertEquals("released", await(holding)[1]);
    // Its slot is given back as the exchange ends, just after the client has its answer: the
    // access log entry is written after that.
    logged(x -> x.path().equals("/hold"));
    for (int i = 0; i < 4; i++) {
      assertEquals("HTTP_2 client=none", get("/n" + i)[1]);
    }
    // Five streams, two per connection at most.
    assertTrue(up.connections().get() >= 3, "connections: " + up.connections().get());
  }

  @Test
  void aRouteTimeoutAnswers504Ut() throws Exception {
    Upstream up = upstream(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1), false);
    route(up, "http2", simple(), resource("VirtualService", "secure", Map.of("hosts", List.of(HOST), "http", List.of(Map.of(
        "route", List.of(Map.of("destination", Map.of("host", HOST))), "timeout", "0.3s")))));
    String[] reply = get("/hold");
    assertEquals("504", reply[0], reply[1]);
    AccessLogEntry e = logged(x -> x.status() == 504);
    assertTrue(e.has(ResponseFlag.UT), e.toString());
    // The timed-out stream is let go; the connection (or the other loop's) serves the next one.
    assertEquals("HTTP_2 client=none", get("/after")[1]);
  }

  private AccessLogEntry logged(Predicate<AccessLogEntry> which) {
    return Sidecars.logged(vertx, log, which);
  }

  private static <T> T await(Future<T> f) {
    return Sidecars.await(f, 20);
  }
}
