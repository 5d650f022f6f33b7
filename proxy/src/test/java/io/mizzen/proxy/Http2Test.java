package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * h2c with prior knowledge and by {@code Upgrade: h2c} on the outbound listener, next to HTTP/1.1 on the same port: many
 * streams on one connection, request bodies, HTTP/2's pseudo-headers never reaching the
 * (HTTP/1.1) upstream.
 */
class Http2Test {
  private Fixture f;
  private HttpClient h2;
  private HttpServer upstream;

  @BeforeEach
  void start() {
    f = new Fixture();
    f.start(f.options());
    upstream = f.upstream(req -> req.body().onSuccess(body -> {
      List<String> names = new ArrayList<>(req.headers().names());
      req.response().end(req.version() + " " + req.method() + " " + req.uri() + " body=" + body.length()
          + " headers=" + names.stream().map(String::toLowerCase).sorted().toList());
    }));
    h2 = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false), new PoolOptions().setHttp2MaxSize(1));
  }

  @AfterEach
  void stop() {
    h2.close();
    f.close();
  }

  private Future<Fixture.Reply> send(HttpMethod method, String uri, String body, List<HttpVersion> seen) {
    RequestOptions o = new RequestOptions().setMethod(method).setURI(uri).setHost("127.0.0.1")
        .setPort(upstream.actualPort()).setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
        .setTimeout(20_000);
    return h2.request(o).compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body))).compose(resp -> {
      synchronized (seen) {
        seen.add(resp.version());
      }
      return resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString()));
    }));
  }

  @Test
  void upgradeH2cTurnsAnHttp1ConnectionIntoHttp2() {
    HttpClient upgrading = f.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(true), new PoolOptions().setHttp2MaxSize(1));
    try {
      List<String> answers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI("/up/" + i).setHost("127.0.0.1")
            .setPort(upstream.actualPort()).setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
            .setTimeout(20_000);
        answers.add(Fixture.await(upgrading.request(o).compose(req -> req.send()
            .compose(resp -> resp.body().map(b -> resp.version() + " " + b)))));
      }
      for (int i = 0; i < 3; i++) {
        assertTrue(answers.get(i).startsWith("HTTP_2 HTTP_1_1 GET /up/" + i), answers.toString());
        assertFalse(answers.get(i).contains("http2-settings") || answers.get(i).contains("x-http2"), answers.get(i));
      }
    } finally {
      upgrading.close();
    }
  }

  @Test
  void grpcRequestsGetGrpcLocalReplies() {
    new Mesh(f).instance("svc", "v1", upstream.actualPort()).apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: svc}
        spec:
          hosts: [svc]
          http:
          - match: [{uri: {prefix: /abort}}]
            fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
            route: [{destination: {host: svc}}]
          - match: [{uri: {prefix: /ok}}]
            route: [{destination: {host: svc}}]
        """);
    record Answer(int status, String grpcStatus, String grpcMessage, String body) {}
    java.util.function.BiFunction<String, String, Answer> call = (uri, type) -> {
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri).setHost("svc").setPort(9080)
          .setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1")).setTimeout(20_000)
          .putHeader("content-type", type);
      return Fixture.await(h2.request(o).compose(req -> req.send(Buffer.buffer(new byte[] {0, 0, 0, 0, 0}))
          .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(),
              resp.getHeader("grpc-status"), resp.getHeader("grpc-message"), b.toString())))));
    };
    Answer noRoute = call.apply("/helloworld.Greeter/SayHello", "application/grpc");
    assertEquals(200, noRoute.status());
    assertEquals("12", noRoute.grpcStatus(), "404 NR is UNIMPLEMENTED");
    assertTrue(noRoute.grpcMessage().contains("no route matched"), noRoute.grpcMessage());
    Answer aborted = call.apply("/abort.Svc/Call", "application/grpc+proto");
    assertEquals(200, aborted.status());
    assertEquals("14", aborted.grpcStatus(), "the 503 abort is UNAVAILABLE");
    assertEquals("", aborted.body());
    Answer plain = call.apply("/helloworld.Greeter/SayHello", "application/json");
    assertEquals(404, plain.status(), "a request that is not gRPC keeps the HTTP answer");
    assertEquals(null, plain.grpcStatus());
    Answer ok = call.apply("/ok", "application/grpc");
    assertEquals(200, ok.status());
    assertEquals(null, ok.grpcStatus(), "upstream answers pass as they are");
  }

  @Test
  void priorKnowledgeStreamsShareOneConnection() {
    List<HttpVersion> seen = new ArrayList<>();
    List<Future<Fixture.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      replies.add(send(i % 2 == 0 ? HttpMethod.GET : HttpMethod.POST, "/s/" + i, i % 2 == 0 ? null : "x".repeat(i * 1000), seen));
    }
    for (int i = 0; i < replies.size(); i++) {
      Fixture.Reply r = Fixture.await(replies.get(i));
      assertEquals(200, r.status(), r.body());
      String expected = "HTTP_1_1 " + (i % 2 == 0 ? "GET" : "POST") + " /s/" + i + " body=" + (i % 2 == 0 ? 0 : i * 1000);
      assertTrue(r.body().startsWith(expected), r.body());
      assertFalse(r.body().contains("x-http2"), "HTTP/2 pseudo-headers stay on the client hop: " + r.body());
    }
    assertTrue(seen.stream().allMatch(v -> v == HttpVersion.HTTP_2), seen.toString());
    // HTTP/1.1 on the same listener still works.
    Fixture.Reply plain = f.get("127.0.0.1:" + upstream.actualPort(), "/h1");
    assertTrue(plain.body().startsWith("HTTP_1_1 GET /h1"), plain.body());
  }

  @Test
  void bodylessHttp2RequestsEndTheirExchangeSoUpstreamConnectionsAreReused() {
    // A HEADERS frame that ends its stream arrives as one FullHttpRequest; its exchange used to
    // stay "request incomplete", so each upstream connection was closed after one answer (and a
    // locally answered one leaked the request's buffer: Http2FuzzPropertyTest saw it).
    java.util.Set<Object> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    HttpServer counting = f.upstream(req -> {
      connections.add(req.connection());
      req.response().end("ok");
    });
    for (int i = 0; i < 20; i++) {
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI("/r/" + i).setHost("127.0.0.1")
          .setPort(counting.actualPort()).setServer(SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
          .setTimeout(20_000);
      assertEquals("ok", Fixture.await(h2.request(o).compose(req -> req.send().compose(resp -> resp.body()))).toString());
    }
    assertTrue(connections.size() <= 2, "sequential requests share pooled upstream connections, used " + connections.size());
  }
}
