package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through the sidecar's outbound listener to real gRPC servers (Vert.x gRPC over h2c): the
 * upstream leg speaks HTTP/2 when the service port says so, and trailers, streams in both
 * directions and errors arrive as a gRPC client expects.
 */
class GrpcUpstreamTest {
  private Fixture f;
  private Mesh mesh;
  private GrpcClient client;
  /** The HTTP versions the upstreams saw, in arrival order. */
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
  private final List<io.vertx.core.http.HttpConnection> live = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger flaky = new java.util.concurrent.atomic.AtomicInteger();
  /** Messages the {@code Flood} method has handed to its response so far. */
  private final java.util.concurrent.atomic.AtomicInteger flooded = new java.util.concurrent.atomic.AtomicInteger();
  /** The {@code Sink} call's request, paused until a test resumes it. */
  private final Promise<GrpcServerRequest<Buffer, Buffer>> sink = Promise.promise();

  @BeforeEach
  void start() {
    f = new Fixture();
    f.start(f.options());
    mesh = new Mesh(f);
    client = GrpcClient.client(f.vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false).setDefaultHost("greeter").setDefaultPort(9090));
  }

  @AfterEach
  void stop() {
    Fixture.await(client.close());
    f.close();
  }

  /** A gRPC server: {@code Echo/Unary}, {@code Echo/Many} (server streaming), {@code Echo/Chat} (bidi). */
  private HttpServer grpcServer(String name) {
    return grpcServer(name, new io.vertx.core.http.HttpServerOptions());
  }

  private HttpServer grpcServer(String name, io.vertx.core.http.HttpServerOptions options) {
    GrpcServer grpc = GrpcServer.server(f.vertx);
    grpc.callHandler(req -> serve(name, req));
    HttpServer server = Fixture.await(f.vertx.createHttpServer(options).connectionHandler(c -> {
          connections.incrementAndGet();
          live.add(c);
        })
        .requestHandler(req -> {
      seen.add(name + " " + req.version());
      grpc.handle(req);
    }).listen(0, "127.0.0.1"));
    return server;
  }

  private void serve(String name, GrpcServerRequest<Buffer, Buffer> req) {
    switch (req.methodName()) {
      case "Flaky" -> req.handler(msg -> {
        // Every other call fails as a server that is shedding load would, trailers-only.
        if (flaky.incrementAndGet() % 2 == 1) {
          req.response().status(GrpcStatus.UNAVAILABLE).statusMessage("try again").end();
        } else {
          req.response().end(Buffer.buffer(name + " steady " + msg));
        }
      });
      case "Unary" -> req.handler(msg -> {
        if (msg.toString().equals("fail")) {
          req.response().status(GrpcStatus.NOT_FOUND).statusMessage("no such greeting").end();
        } else {
          req.response().end(Buffer.buffer(name + " hello " + msg));
        }
      });
      case "Flood" -> req.handler(msg -> {
        // As fast as the stream takes them: writes only while the response's queue is not full.
        int n = Integer.parseInt(msg.toString());
        Buffer chunk = Buffer.buffer(new byte[32 * 1024]);
        Runnable[] pump = new Runnable[1];
        pump[0] = () -> {
          while (flooded.get() < n && !req.response().writeQueueFull()) {
            req.response().write(chunk);
            flooded.incrementAndGet();
          }
          if (flooded.get() == n) {
            req.response().end();
          } else {
            req.response().drainHandler(v -> pump[0].run());
          }
        };
        pump[0].run();
      });
      case "Sink" -> {
        // Reads nothing until the test says so, then counts what came and answers the count.
        req.pause();
        int[] count = {0};
        req.handler(msg -> count[0]++);
        req.endHandler(v -> req.response().end(Buffer.buffer(Integer.toString(count[0]))));
        sink.tryComplete(req);
      }
      case "Many" -> req.handler(msg -> {
        int n = Integer.parseInt(msg.toString());
        for (int i = 0; i < n; i++) {
          req.response().write(Buffer.buffer("m" + i));
        }
        req.response().end();
      });
      case "Chat" -> {
        req.handler(msg -> req.response().write(Buffer.buffer("echo " + msg)));
        req.endHandler(v -> req.response().end());
      }
      default -> req.response().status(GrpcStatus.UNIMPLEMENTED).end();
    }
  }

  /** Registers a gRPC server as an instance of {@code greeter} on a port named {@code portName}. */
  private void instance(String version, int port, String portName) {
    mesh.instances.add(new ServiceInstance("greeter", "default", "greeter.default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort(portName, 9090, port, "")), Map.of("app", "greeter", "version", version),
        "default", "test"));
  }

  /**
   * A call to the sidecar's outbound listener for {@code greeter:9090}, as a captured client's
   * would be (the plain client API names the dialled address as the authority).
   */
  private Future<GrpcClientRequest<Buffer, Buffer>> open() {
    return ((io.vertx.grpc.client.impl.GrpcClientImpl) client).request(new io.vertx.core.http.RequestOptions()
        .setMethod(io.vertx.core.http.HttpMethod.POST).setHost("greeter").setPort(9090)
        .setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1")));
  }

  record Call(GrpcStatus status, String message, List<String> replies) {}

  /** Sends the messages (the request ends with the last) and collects the answer. */
  private Future<Call> call(String method, String... messages) {
    return open().compose(req -> {
      req.fullMethodName("test.Echo/" + method);
      Promise<Call> done = Promise.promise();
      collect(req, done, null);
      for (int i = 0; i < messages.length - 1; i++) {
        req.write(Buffer.buffer(messages[i]));
      }
      req.end(Buffer.buffer(messages[messages.length - 1]));
      return done.future();
    });
  }

  private static void collect(GrpcClientRequest<Buffer, Buffer> req, Promise<Call> done,
      java.util.function.Consumer<String> onReply) {
    req.response().onFailure(done::tryFail).onSuccess(resp -> {
      List<String> got = new ArrayList<>();
      resp.handler(b -> {
        got.add(b.toString());
        if (onReply != null) {
          onReply.accept(b.toString());
        }
      });
      resp.endHandler(v -> done.tryComplete(new Call(resp.status(), resp.statusMessage(), got)));
      resp.exceptionHandler(e -> done.tryComplete(new Call(resp.status(), resp.statusMessage() + " / " + e, got)));
    });
  }

  @Test
  void unaryCallsReachAnH2cServerWithTheirStatusInTrailers() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("");
    Call ok = Fixture.await(call("Unary", "world"));
    assertEquals(GrpcStatus.OK, ok.status(), ok.toString());
    assertEquals(List.of("a hello world"), ok.replies());
    Call failed = Fixture.await(call("Unary", "fail"));
    assertEquals(GrpcStatus.NOT_FOUND, failed.status(), failed.toString());
    assertEquals("no such greeting", failed.message());
    assertTrue(seen.stream().allMatch(v -> v.equals("a HTTP_2")), seen.toString());
    AccessLogEntry entry = f.logEntry(e -> e.toString().contains("/test.Echo/Unary"));
    assertTrue(entry.toString().contains("200"), entry.toString());
  }

  @Test
  void serverStreamingCarriesAThousandMessages() {
    instance("v1", grpcServer("a").actualPort(), "grpc-api");
    mesh.apply("");
    Call many = Fixture.await(call("Many", "1000"));
    assertEquals(GrpcStatus.OK, many.status(), many.message());
    assertEquals(1000, many.replies().size());
    assertEquals("m0", many.replies().get(0));
    assertEquals("m999", many.replies().get(999));
  }

  @Test
  void bidiStreamsInterleaveThroughTheProxy() {
    instance("v1", grpcServer("a").actualPort(), "http2");
    mesh.apply("");
    // Ping-pong: each message is sent only once the echo of the one before came back, so
    // nothing passes unless both directions stream while the call is open.
    int rounds = 20;
    Call chat = Fixture.await(open()
        .compose(req -> {
          req.fullMethodName("test.Echo/Chat");
          Promise<Call> done = Promise.promise();
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
        }));
    assertEquals(GrpcStatus.OK, chat.status(), chat.message());
    assertEquals(rounds, chat.replies().size(), chat.replies().toString());
    assertEquals("echo p19", chat.replies().get(rounds - 1));
  }

  @Test
  void weightedRoutingSplitsCallsBetweenTwoGrpcServers() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    instance("v2", grpcServer("b").actualPort(), "grpc");
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: greeter}
        spec:
          host: greeter
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: greeter}
        spec:
          hosts: [greeter]
          http:
          - route:
            - {destination: {host: greeter, subset: v1}, weight: 50}
            - {destination: {host: greeter, subset: v2}, weight: 50}
        """);
    List<String> by = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Call c = Fixture.await(call("Unary", "x"));
      assertEquals(GrpcStatus.OK, c.status(), c.message());
      by.add(c.replies().get(0).substring(0, 1));
    }
    assertTrue(by.contains("a") && by.contains("b"), by.toString());
  }

  @Test
  void aDownGrpcUpstreamIsUnavailable() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    instance("v1", closed, "grpc");
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: greeter}
        spec:
          hosts: [greeter]
          http:
          - route: [{destination: {host: greeter}}]
            retries: {attempts: 0}
        """);
    Call down = Fixture.await(call("Unary", "x"));
    assertEquals(GrpcStatus.UNAVAILABLE, down.status(), down.toString());
    AccessLogEntry entry = f.logEntry(e -> e.toString().contains("UF"));
    assertTrue(entry.toString().contains("503"), entry.toString());
  }

  @Test
  void h2UpgradePolicyMakesAnHttpPortSpeakHttp2() {
    instance("v1", grpcServer("a").actualPort(), "http");
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: greeter}
        spec:
          host: greeter
          trafficPolicy:
            connectionPool: {http: {h2UpgradePolicy: UPGRADE}}
        """);
    Call ok = Fixture.await(call("Unary", "up"));
    assertEquals(GrpcStatus.OK, ok.status(), ok.message());
    assertEquals(List.of("a HTTP_2"), seen);
  }

  @Test
  void anHttp11ClientGetsTheGrpcStatusAsTrailers() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("");
    io.vertx.core.http.HttpClient http1 = f.vertx.createHttpClient();
    try {
      for (String[] c : new String[][] {{"world", "0"}, {"fail", "5"}}) {
        byte[] text = c[0].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(text.length).appendBytes(text);
        String answer = Fixture.await(http1.request(new io.vertx.core.http.RequestOptions()
                .setMethod(io.vertx.core.http.HttpMethod.POST).setHost("greeter").setPort(9090).setURI("/test.Echo/Unary")
                .setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
                .putHeader("content-type", "application/grpc").putHeader("te", "trailers"))
            .compose(req -> req.send(frame)).compose(resp -> resp.body().map(b -> resp.version() + " "
                + resp.statusCode() + " status=" + resp.getTrailer("grpc-status") + " message=" + resp.getTrailer("grpc-message"))));
        assertTrue(answer.startsWith("HTTP_1_1 200 status=" + c[1]), answer);
        if (c[1].equals("5")) {
          assertTrue(answer.endsWith("message=no%20such%20greeting"), answer);
        }
      }
    } finally {
      http1.close();
    }
    assertTrue(seen.stream().allMatch(v -> v.equals("a HTTP_2")), seen.toString());
  }

  @Test
  void theInboundSidecarSpeaksH2cToALocalGrpcApp() {
    HttpServer app = grpcServer("app");
    Map<String, String> labels = Map.of("app", "greeter", "version", "v1");
    MeshProxy inbound = Fixture.await(MeshProxy.start(f.proxyVertx, ProxyOptions.sidecar().withOutboundPort(0)
        .withInbound(0, app.actualPort()).withSourceLabels(labels)
        .withAccessLog(e -> f.log.add(e))));
    try {
      // The service's endpoint is the sidecar's inbound, as iptables would make it; its port is gRPC.
      instance("v1", inbound.inboundPort(), "grpc");
      io.mizzen.spi.proxy.ProxySnapshot snapshot = new io.mizzen.spi.proxy.ProxySnapshot("1", List.of(), mesh.instances);
      Fixture.await(f.proxy.apply(snapshot));
      Fixture.await(inbound.apply(snapshot));
      Call ok = Fixture.await(call("Unary", "through two"));
      assertEquals(GrpcStatus.OK, ok.status(), ok.toString());
      assertEquals(List.of("app hello through two"), ok.replies());
      Call failed = Fixture.await(call("Unary", "fail"));
      assertEquals(GrpcStatus.NOT_FOUND, failed.status(), failed.toString());
      Call many = Fixture.await(call("Many", "300"));
      assertEquals(300, many.replies().size());
      assertTrue(seen.stream().allMatch(v -> v.equals("app HTTP_2")), seen.toString());
      f.logEntry(e -> e.toString().contains("inbound|") && e.toString().contains("/test.Echo/Many"));
    } finally {
      Fixture.await(inbound.close());
    }
  }

  @Test
  void grpcRetryOnUnavailableRetriesATrailersOnlyAnswer() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: greeter}
        spec:
          hosts: [greeter]
          http:
          - route: [{destination: {host: greeter}}]
            retries: {attempts: 2, retryOn: "unavailable,cancelled"}
        """);
    Call c = Fixture.await(call("Flaky", "x"));
    assertEquals(GrpcStatus.OK, c.status(), c.toString());
    assertEquals(List.of("a steady x"), c.replies());
    assertEquals(2, flaky.get(), "the UNAVAILABLE answer was retried once");
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: greeter}
        spec:
          hosts: [greeter]
          http:
          - route: [{destination: {host: greeter}}]
            retries: {attempts: 2, retryOn: "internal"}
        """);
    Call notRetried = Fixture.await(call("Flaky", "y"));
    assertEquals(GrpcStatus.UNAVAILABLE, notRetried.status(), notRetried.toString());
    assertEquals("try again", notRetried.message());
    assertEquals(3, flaky.get());
  }

  @Test
  void http2MaxRequestsCapsConcurrentStreamsAndMaxRequestsPerConnectionRenewsConnections() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: greeter}
        spec:
          host: greeter
          trafficPolicy:
            connectionPool: {http: {http2MaxRequests: 1, maxRequestsPerConnection: 2}}
        """);
    // A bidi call held open takes the one request slot.
    Promise<Void> echoed = Promise.promise();
    Promise<GrpcClientRequest<Buffer, Buffer>> held = Promise.promise();
    Promise<Call> chatDone = Promise.promise();
    open().onSuccess(req -> {
      req.fullMethodName("test.Echo/Chat");
      collect(req, chatDone, reply -> echoed.tryComplete());
      req.write(Buffer.buffer("hold"));
      held.complete(req);
    });
    Fixture.await(echoed.future());
    Call over = Fixture.await(call("Unary", "x"));
    assertEquals(GrpcStatus.UNAVAILABLE, over.status(), over.toString());
    AccessLogEntry entry = f.logEntry(e -> e.toString().contains("UO"));
    assertTrue(entry.toString().contains("503"), entry.toString());
    Fixture.await(held.future()).end();
    assertEquals(GrpcStatus.OK, Fixture.await(chatDone.future()).status());
    for (int i = 0; i < 4; i++) {
      Call ok = Fixture.await(call("Unary", "n" + i));
      assertEquals(GrpcStatus.OK, ok.status(), ok.toString());
    }
    // Five streams, two per connection at most.
    assertTrue(connections.get() >= 3, "connections: " + connections.get());
  }

  /** Opens a bidi call and waits for the echo of its first message: the stream is then open upstream. */
  private GrpcClientRequest<Buffer, Buffer> heldChat(Promise<Call> done) {
    Promise<Void> echoed = Promise.promise();
    GrpcClientRequest<Buffer, Buffer> req = Fixture.await(open());
    req.fullMethodName("test.Echo/Chat");
    collect(req, done, reply -> echoed.tryComplete());
    req.write(Buffer.buffer("hold"));
    Fixture.await(echoed.future());
    return req;
  }

  @Test
  void aServerTakingTwoStreamsAConnectionGetsMoreConnections() {
    instance("v1", grpcServer("a", new io.vertx.core.http.HttpServerOptions()
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setMaxConcurrentStreams(2))).actualPort(), "grpc");
    mesh.apply("");
    // The first call lets the proxy learn the server's limit from its SETTINGS.
    assertEquals(GrpcStatus.OK, Fixture.await(call("Unary", "first")).status());
    List<Promise<Call>> calls = new ArrayList<>();
    List<GrpcClientRequest<Buffer, Buffer>> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Promise<Call> done = Promise.promise();
      calls.add(done);
      held.add(heldChat(done));
    }
    assertTrue(connections.get() >= 3, "six open streams at two a connection: " + connections.get());
    held.forEach(GrpcClientRequest::end);
    for (Promise<Call> done : calls) {
      assertEquals(GrpcStatus.OK, Fixture.await(done.future()).status());
    }
  }

  @Test
  void aConnectionTheServerClosedIsReplaced() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("");
    assertEquals(GrpcStatus.OK, Fixture.await(call("Unary", "one")).status());
    assertEquals(1, connections.get());
    // GOAWAY, then close: the proxy's next call needs a new connection.
    Fixture.await(live.get(0).shutdown(0, java.util.concurrent.TimeUnit.MILLISECONDS));
    Call again = Fixture.await(call("Unary", "two"));
    assertEquals(GrpcStatus.OK, again.status(), again.toString());
    assertEquals(List.of("a hello two"), again.replies());
    assertEquals(2, connections.get());
  }

  @Test
  void aClientThatDoesNotReadHoldsBackTheServer() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("");
    int n = 1024; // 32 MiB in 32 KiB messages
    GrpcClientRequest<Buffer, Buffer> req = Fixture.await(open());
    req.fullMethodName("test.Echo/Flood");
    // Paused on the head's arrival, before any message can be handed to no one.
    io.vertx.grpc.client.GrpcClientResponse<Buffer, Buffer> resp = Fixture.await(req.send(Buffer.buffer(Integer.toString(n)))
        .map(r -> r.pause()));
    // With the client paused, what the server could hand over stays within the windows and
    // socket buffers on the way; a proxy buffering without bound would take all 32 MiB.
    awaitHeldBack(flooded::get, n, "the server sent %d of %d messages to a client that read none");
    java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
    Promise<GrpcStatus> end = Promise.promise();
    resp.handler(b -> got.incrementAndGet());
    resp.endHandler(v -> end.tryComplete(resp.status()));
    resp.exceptionHandler(end::tryFail);
    resp.resume();
    assertEquals(GrpcStatus.OK, Fixture.await(end.future()));
    assertEquals(n, got.get());
  }

  @Test
  void aServerThatDoesNotReadHoldsBackTheClient() {
    instance("v1", grpcServer("a").actualPort(), "grpc");
    mesh.apply("");
    int n = 1024; // 32 MiB in 32 KiB messages
    Buffer chunk = Buffer.buffer(new byte[32 * 1024]);
    GrpcClientRequest<Buffer, Buffer> req = Fixture.await(open());
    req.fullMethodName("test.Echo/Sink");
    java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    Promise<Call> done = Promise.promise();
    collect(req, done, null);
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (sent.get() < n && !req.writeQueueFull()) {
        req.write(chunk);
        sent.incrementAndGet();
      }
      if (sent.get() == n) {
        req.end();
      } else {
        req.drainHandler(v -> pump[0].run());
      }
    };
    f.vertx.runOnContext(v -> pump[0].run());
    GrpcServerRequest<Buffer, Buffer> paused = Fixture.await(sink.future());
    awaitHeldBack(sent::get, n, "the client sent %d of %d messages to a server that read none");
    paused.resume();
    Call c = Fixture.await(done.future());
    assertEquals(GrpcStatus.OK, c.status(), c.toString());
    assertEquals(List.of(Integer.toString(n)), c.replies());
  }

  @Test
  void plainHttpPortsKeepHttp11() {
    HttpServer plain = f.upstream(req -> req.response().end("plain " + req.version()));
    mesh.instance("web", "v1", plain.actualPort()).apply("");
    Fixture.Reply reply = f.get("web:9080", "/");
    assertEquals(200, reply.status());
    assertEquals("plain HTTP_1_1", reply.body());
  }

  /**
   * Waits until {@code count} has stood still for a second (20 checks 50 ms apart) below half of
   * {@code n}; fails with {@code what} (formatted with the count and n) once it reaches half.
   */
  private void awaitHeldBack(java.util.function.IntSupplier count, int n, String what) {
    Promise<Void> held = Promise.promise();
    long[] stable = {0, -1};
    long timer = f.vertx.setPeriodic(50, id -> {
      int now = count.getAsInt();
      if (now >= n / 2) {
        held.tryFail(String.format(what, now, n));
      } else if (now == stable[1] && ++stable[0] >= 20) {
        held.tryComplete();
      } else if (now != stable[1]) {
        stable[0] = 0;
        stable[1] = now;
      }
    });
    try {
      Fixture.await(held.future());
    } finally {
      f.vertx.cancelTimer(timer);
    }
  }
}
