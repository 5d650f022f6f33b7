package io.mizzen.proxy.tls;

import static io.mizzen.proxy.tls.Sidecars.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.OneLoop;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.impl.GrpcClientImpl;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC across a sidecar pair under ISTIO_MUTUAL: the client's sidecar offers ALPN h2 to the
 * server's inbound for the {@code grpc} port, the two speak HTTP/2 over mutual TLS (a stream per
 * call on one connection), and the server's inbound speaks h2c to the local gRPC app. The
 * inbound's access log says which protocol arrived; a TCP relay between the two sidecars counts
 * the connections that carried the calls.
 */
class GrpcMutualTlsProxyTest {
  private final Vertx vertx = io.mizzen.proxy.MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final List<MeshProxy> proxies = new ArrayList<>();
  private final List<AccessLogEntry> serverLog = new CopyOnWriteArrayList<>();
  private final List<AccessLogEntry> clientLog = new CopyOnWriteArrayList<>();
  /** The HTTP versions the app saw. */
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger flaky = new AtomicInteger();
  private final AtomicInteger versions = new AtomicInteger();
  private TestPki mesh;
  private MeshProxy client;
  private MeshProxy server;
  private GrpcClientImpl grpcClient;
  /** The port of the relay in front of greeter's inbound, and the connections it took. */
  private int relayPort;
  private final AtomicInteger relayed = new AtomicInteger();
  private final AtomicInteger relayClosed = new AtomicInteger();
  private final Map<String, HeldCertificates> certificates = new java.util.concurrent.ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    mesh = new TestPki("mesh");
    GrpcServer grpc = GrpcServer.server(vertx).callHandler(req -> {
      switch (req.methodName()) {
        case "Chat" -> {
          req.handler(msg -> req.response().write(Buffer.buffer("echo " + msg)));
          req.endHandler(v -> req.response().end());
        }
        case "Flaky" -> req.handler(msg -> {
          if (flaky.incrementAndGet() % 2 == 1) {
            req.response().status(GrpcStatus.UNAVAILABLE).statusMessage("try again").end();
          } else {
            req.response().end(Buffer.buffer("steady " + msg));
          }
        });
        default -> req.handler(msg -> {
          if (msg.toString().equals("fail")) {
            req.response().status(GrpcStatus.NOT_FOUND).statusMessage("no such greeting").end();
          } else if (msg.toString().equals("many")) {
            for (int i = 0; i < 100; i++) {
              req.response().write(Buffer.buffer("m" + i));
            }
            req.response().end();
          } else {
            req.response().end(Buffer.buffer("hello " + msg));
          }
        });
      }
    });
    HttpServer app = await(vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.version().toString());
      String type = req.getHeader("content-type");
      if (type != null && type.startsWith("application/grpc")) {
        grpc.handle(req);
      } else {
        req.response().end("plain " + req.version());
      }
    }).listen(0, "127.0.0.1"));
    client = sidecar("caller", app.actualPort(), clientLog);
    server = sidecar("greeter", app.actualPort(), serverLog);
    relayPort = relay(server.inboundPort());
    grpcClient = (GrpcClientImpl) GrpcClient.client(vertx,
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void close() {
    await(grpcClient.close());
    proxies.forEach(p -> await(p.close()));
    await(vertx.close());
  }

  private MeshProxy sidecar(String app, int appPort, List<AccessLogEntry> log) throws Exception {
    MeshProxy proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(0, appPort)
            .withSourceLabels(Map.of("app", app, "version", "v1")).withDrainPeriod(java.time.Duration.ZERO)
            .withAccessLog(log::add),
        List.of(), MeshTls.create(certificates.computeIfAbsent(app, a -> held("bookinfo-" + a))), Sidecars.TRUST_DOMAIN));
    proxies.add(proxy);
    return proxy;
  }

  private HeldCertificates held(String serviceAccount) {
    try {
      return new HeldCertificates(mesh.workload(serviceAccount));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Until {@code condition} holds, checked every 5 ms on an event loop; at most 20 s. */
  private void until(java.util.function.BooleanSupplier condition, String what) {
    Promise<Void> met = Promise.promise();
    long timer = vertx.setPeriodic(5, id -> {
      if (condition.getAsBoolean()) {
        met.tryComplete();
      }
    });
    try {
      await(met.future());
    } catch (AssertionError e) {
      throw new AssertionError("never: " + what, e);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  /** A TCP relay to {@code port} that counts the connections it takes (TLS passes through it untouched). */
  private int relay(int port) {
    io.vertx.core.net.NetClient net = vertx.createNetClient();
    return await(vertx.createNetServer().connectHandler(in -> {
      relayed.incrementAndGet();
      in.closeHandler(v -> relayClosed.incrementAndGet());
      in.pause();
      net.connect(port, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          in.close();
          return;
        }
        io.vertx.core.net.NetSocket out = ar.result();
        in.pipeTo(out);
        out.pipeTo(in);
      });
    }).listen(0, "127.0.0.1")).actualPort();
  }

  /**
   * greeter with a {@code grpc} port 9090 at its inbound (through the relay), under the DestinationRule's {@code trafficPolicy};
   * {@code plain}, a service of other labels with an {@code http} port 9080 at the same inbound
   * address, under ISTIO_MUTUAL.
   */
  private void apply(Map<String, Object> trafficPolicy, Resource... more) {
    List<Resource> resources = new ArrayList<>(List.of(more));
    resources.add(new Resource("networking.istio.io/v1alpha3", "DestinationRule", "greeter", "default", null, null,
        Map.of("host", "greeter", "trafficPolicy", trafficPolicy), new SourceLocation("inline", 0, 1)));
    resources.add(new Resource("networking.istio.io/v1alpha3", "DestinationRule", "plain", "default", null, null,
        Map.of("host", "plain", "trafficPolicy", Map.of("tls", Map.of("mode", "ISTIO_MUTUAL"))),
        new SourceLocation("inline", 0, 1)));
    ProxySnapshot snapshot = new ProxySnapshot(Integer.toString(versions.incrementAndGet()), resources, List.of(
        new ServiceInstance("greeter", "default", "greeter.default.svc.cluster.local", "127.0.0.1",
            List.of(new ServicePort("grpc", 9090, relayPort, "")), Map.of("app", "greeter", "version", "v1"),
            "bookinfo-greeter", "test"),
        new ServiceInstance("plain", "default", "plain.default.svc.cluster.local", "127.0.0.1",
            List.of(new ServicePort("http", 9080, relayPort, "")), Map.of("app", "plain"),
            "bookinfo-greeter", "test")));
    await(client.apply(snapshot));
    await(server.apply(snapshot));
  }

  private void apply() {
    apply(Map.of("tls", Map.of("mode", "ISTIO_MUTUAL")));
  }

  record Answer(GrpcStatus status, String message, List<String> replies) {}

  private Future<GrpcClientRequest<Buffer, Buffer>> open(String method) {
    return grpcClient.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("greeter").setPort(9090)
            .setServer(SocketAddress.inetSocketAddress(client.outboundPort(), "127.0.0.1")))
        .map(req -> {
          req.fullMethodName("test.Echo/" + method);
          return req;
        });
  }

  private static void collect(GrpcClientRequest<Buffer, Buffer> req, Promise<Answer> done,
      java.util.function.Consumer<String> onReply) {
    req.response().onFailure(done::tryFail).onSuccess(resp -> {
      List<String> got = new ArrayList<>();
      resp.handler(b -> {
        got.add(b.toString());
        if (onReply != null) {
          onReply.accept(b.toString());
        }
      });
      resp.endHandler(v -> done.tryComplete(new Answer(resp.status(), resp.statusMessage(), got)));
      resp.exceptionHandler(e -> done.tryComplete(new Answer(resp.status(), resp.statusMessage() + " / " + e, got)));
    });
  }

  private Answer call(String method, String text) {
    return await(OneLoop.run(vertx, () -> open(method).compose(req -> {
      Promise<Answer> done = Promise.promise();
      collect(req, done, null);
      req.end(Buffer.buffer(text));
      return done.future();
    })));
  }

  private AccessLogEntry logged(List<AccessLogEntry> log, Predicate<AccessLogEntry> which) {
    return Sidecars.logged(vertx, log, which);
  }

  private static Predicate<AccessLogEntry> inbound(String path) {
    return e -> e.listener().equals("inbound") && e.path().equals(path);
  }

  @Test
  void unaryAndServerStreamingCrossTheMutualTlsPairAsHttp2() {
    apply();
    Answer ok = call("Unary", "mesh");
    assertEquals(GrpcStatus.OK, ok.status(), ok.toString());
    assertEquals(List.of("hello mesh"), ok.replies());
    Answer failed = call("Unary", "fail");
    assertEquals(GrpcStatus.NOT_FOUND, failed.status(), failed.toString());
    assertEquals("no such greeting", failed.message());
    Answer many = call("Unary", "many");
    assertEquals(GrpcStatus.OK, many.status());
    assertEquals(100, many.replies().size());
    assertEquals("m99", many.replies().get(99));
    // What the server's inbound received: HTTP/2 over mutual TLS, from the caller's certificate.
    AccessLogEntry in = logged(serverLog, inbound("/test.Echo/Unary"));
    assertEquals("HTTP/2", in.protocol(), in.toString());
    assertTrue(serverLog.stream().filter(e -> e.listener().equals("inbound")).allMatch(e -> e.protocol().equals("HTTP/2")),
        serverLog.toString());
    String metrics = server.metrics().render();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("istio_requests_total{") && l.contains("reporter=\"destination\"")
        && l.contains("connection_security_policy=\"mutual_tls\"")
        && l.contains("source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-caller\"")), metrics);
    assertTrue(!seen.isEmpty() && seen.stream().allMatch("HTTP_2"::equals), seen.toString());
  }

  @Test
  void bidiCallsAreStreamsOfOneMutualTlsConnectionPerLoop() {
    apply();
    // Ping-pong: each message goes only once the echo of the one before came back.
    int rounds = 20;
    Answer chat = await(OneLoop.run(vertx, () -> open("Chat").compose(req -> {
      Promise<Answer> done = Promise.promise();
      int[] sent = {1};
      collect(req, done, reply -> {
        if (sent[0] < rounds) {
          req.write(Buffer.buffer("p" + sent[0]++));
        } else {
          req.end();
        }
      });
      req.write(Buffer.buffer("p0"));
      return done.future();
    })));
    assertEquals(GrpcStatus.OK, chat.status(), chat.message());
    assertEquals(rounds, chat.replies().size(), chat.replies().toString());
    assertEquals("echo p19", chat.replies().get(rounds - 1));
    // Five calls held open at once: over HTTP/1.1 they would need five connections to the inbound.
    List<GrpcClientRequest<Buffer, Buffer>> held = new ArrayList<>();
    List<Promise<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Promise<Void> echoed = Promise.promise();
      Promise<Answer> done = Promise.promise();
      answers.add(done);
      String text = "hold" + i;
      held.add(await(OneLoop.run(vertx, () -> open("Chat").map(req -> {
        collect(req, done, reply -> echoed.tryComplete());
        req.write(Buffer.buffer(text));
        return req;
      }))));
      await(echoed.future());
    }
    // Six calls, five of them at once: the caller's sidecar keeps one connection to the inbound
    // per event loop (two here), each carrying every call of its loop as a stream.
    assertTrue(relayed.get() >= 1 && relayed.get() <= 2, "connections between the sidecars: " + relayed.get());
    held.forEach(r -> vertx.runOnContext(v -> r.end()));
    for (Promise<Answer> done : answers) {
      assertEquals(GrpcStatus.OK, await(done.future()).status());
    }
    AccessLogEntry in = logged(serverLog, inbound("/test.Echo/Chat"));
    assertEquals("HTTP/2", in.protocol(), in.toString());
  }

  @Test
  void grpcRetryOnSeesTheStatusOfATrailersOnlyAnswerAcrossThePair() {
    apply(Map.of("tls", Map.of("mode", "ISTIO_MUTUAL")), new Resource("networking.istio.io/v1alpha3", "VirtualService", "greeter",
        "default", null, null, Map.of("hosts", List.of("greeter"), "http", List.of(Map.of(
            "route", List.of(Map.of("destination", Map.of("host", "greeter"))),
            "retries", Map.of("attempts", 2, "retryOn", "unavailable")))),
        new SourceLocation("inline", 0, 1)));
    Answer a = call("Flaky", "x");
    assertEquals(GrpcStatus.OK, a.status(), a.toString());
    assertEquals(List.of("steady x"), a.replies());
    assertEquals(2, flaky.get(), "the UNAVAILABLE answer was retried once by the caller's sidecar");
  }

  @Test
  void aRotatedCertificateIsPresentedOnTheNextH2Connection() throws Exception {
    // Idle connections close after 0.3 s: the caller's h2 connection is replaced after the rotation.
    apply(Map.of("tls", Map.of("mode", "ISTIO_MUTUAL"), "connectionPool", Map.of("http", Map.of("idleTimeout", "0.3s"))));
    assertEquals(GrpcStatus.OK, call("Unary", "before").status());
    certificates.get("caller").renew(mesh.workload("bookinfo-caller-renewed"));
    // An open connection keeps the certificate it was made with; the caller closes it when idle.
    until(() -> relayed.get() > 0 && relayClosed.get() == relayed.get(), "the caller's connections closed");
    Answer after = call("Unary", "after");
    assertEquals(GrpcStatus.OK, after.status(), after.toString());
    AccessLogEntry in = logged(serverLog, inbound("/test.Echo/Unary"));
    assertEquals("HTTP/2", in.protocol(), in.toString());
    until(() -> server.metrics().render().contains("source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-caller-renewed\""),
        "the renewed principal at greeter's inbound");
    assertTrue(relayed.get() >= 2, "a new connection after the rotation: " + relayed.get());
  }

  @Test
  void anHttpPortAtTheSameInboundStaysHttp11AndItsConnectionsCarryNoGrpc() {
    apply();
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(client.outboundPort(), "127.0.0.1"))
        .setHost("plain").setPort(9080).setURI("/plain").setTimeout(20_000);
    io.vertx.core.http.HttpClient http = vertx.createHttpClient();
    // Four at once: four connections to the caller's sidecar, on both of its event loops, each
    // leaving an HTTP/1.1 connection to greeter's inbound address in that loop's pool.
    List<Future<String>> bodies = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      bodies.add(OneLoop.run(vertx, () -> http.request(o).compose(r -> r.send()).compose(r -> r.body())
          .map(Buffer::toString)));
    }
    for (Future<String> f : bodies) {
      String body = await(f);
      // (The inbound speaks h2c to the app: the workload's own service port is grpc.)
      assertTrue(body.startsWith("plain "), body);
    }
    await(http.close());
    AccessLogEntry in = logged(serverLog, inbound("/plain"));
    assertEquals("HTTP/1.1", in.protocol(), in.toString());
    assertTrue(server.metrics().render().contains("connection_security_policy=\"mutual_tls\""));
    // The HTTP/1.1 connections pooled to that address are not the gRPC cluster's: it offers h2.
    assertEquals(GrpcStatus.OK, call("Unary", "after plain").status());
    AccessLogEntry grpc = logged(serverLog, inbound("/test.Echo/Unary"));
    assertEquals("HTTP/2", grpc.protocol(), grpc.toString());
  }

  @Test
  void aPeerWithoutTheExpectedIdentityFailsTheHandshake503Uf() {
    apply(Map.of("tls", Map.of("mode", "ISTIO_MUTUAL",
        "subjectAltNames", List.of("spiffe://cluster.local/ns/default/sa/someone-else"))));
    Answer refused = call("Unary", "mesh");
    assertEquals(GrpcStatus.UNAVAILABLE, refused.status(), refused.toString());
    AccessLogEntry out = logged(clientLog, e -> e.listener().equals("outbound") && e.status() == 503);
    assertTrue(out.has(ResponseFlag.UF), out.toString());
    assertTrue(out.detail().contains("TLS handshake with 127.0.0.1:" + relayPort + " failed"), out.detail());
    assertTrue(serverLog.isEmpty(), serverLog.toString());
    // The right identity again: served.
    apply();
    assertEquals(GrpcStatus.OK, call("Unary", "mesh").status());
  }
}
