package io.mizzen.proxy.tls;

import static io.mizzen.proxy.tls.Sidecars.await;
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
import io.vertx.grpc.client.impl.GrpcClientImpl;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC across a sidecar pair under ISTIO_MUTUAL: the client's sidecar speaks HTTP/1.1 over mutual
 * TLS to the server's inbound (the gRPC trailers ride in the chunked encoding), which speaks h2c
 * to the local gRPC app because the service port is {@code grpc}.
 */
class GrpcMutualTlsProxyTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final List<MeshProxy> proxies = new ArrayList<>();

  @AfterEach
  void close() {
    proxies.forEach(p -> await(p.close()));
    await(vertx.close());
  }

  private MeshProxy sidecar(TestPki mesh, String app, int appPort) throws Exception {
    MeshProxy proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(0, appPort)
            .withSourceLabels(Map.of("app", app, "version", "v1")).withDrainPeriod(java.time.Duration.ZERO),
        List.of(), MeshTls.create(new HeldCertificates(mesh.workload("bookinfo-" + app))), Sidecars.TRUST_DOMAIN));
    proxies.add(proxy);
    return proxy;
  }

  @Test
  void grpcCrossesASidecarPairOverMutualTls() throws Exception {
    TestPki mesh = new TestPki("mesh");
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    GrpcServer grpc = GrpcServer.server(vertx).callHandler(req -> req.handler(msg -> {
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
    }));
    HttpServer app = await(vertx.createHttpServer().requestHandler(req -> {
      seen.add(req.version().toString());
      grpc.handle(req);
    }).listen(0, "127.0.0.1"));
    MeshProxy client = sidecar(mesh, "caller", app.actualPort());
    MeshProxy server = sidecar(mesh, "greeter", app.actualPort());
    ProxySnapshot snapshot = new ProxySnapshot("1", List.of(new Resource("networking.istio.io/v1alpha3",
        "DestinationRule", "greeter", "default", null, null,
        Map.of("host", "greeter", "trafficPolicy", Map.of("tls", Map.of("mode", "ISTIO_MUTUAL"))),
        new SourceLocation("inline", 0, 1))),
        List.of(new ServiceInstance("greeter", "default", "greeter.default.svc.cluster.local", "127.0.0.1",
            List.of(new ServicePort("grpc", 9090, server.inboundPort(), "")), Map.of("app", "greeter", "version", "v1"),
            "bookinfo-greeter", "test")));
    await(client.apply(snapshot));
    await(server.apply(snapshot));
    GrpcClientImpl grpcClient = (GrpcClientImpl) GrpcClient.client(vertx,
        new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      record Answer(GrpcStatus status, List<String> replies) {}
      java.util.function.Function<String, Future<Answer>> call = text -> grpcClient.request(new RequestOptions()
              .setMethod(HttpMethod.POST).setHost("greeter").setPort(9090)
              .setServer(SocketAddress.inetSocketAddress(client.outboundPort(), "127.0.0.1")))
          .compose(req -> {
            req.fullMethodName("test.Echo/Unary");
            Promise<Answer> done = Promise.promise();
            req.response().onFailure(done::tryFail).onSuccess(resp -> {
              List<String> got = new ArrayList<>();
              resp.handler(b -> got.add(b.toString()));
              resp.endHandler(v -> done.tryComplete(new Answer(resp.status(), got)));
              resp.exceptionHandler(e -> done.tryComplete(new Answer(resp.status(), got)));
            });
            req.end(Buffer.buffer(text));
            return done.future();
          });
      Answer ok = await(call.apply("mesh"));
      assertEquals(new Answer(GrpcStatus.OK, List.of("hello mesh")), ok);
      assertEquals(GrpcStatus.NOT_FOUND, await(call.apply("fail")).status());
      Answer many = await(call.apply("many"));
      assertEquals(GrpcStatus.OK, many.status());
      assertEquals(100, many.replies().size());
      assertTrue(!seen.isEmpty() && seen.stream().allMatch("HTTP_2"::equals), seen.toString());
    } finally {
      await(grpcClient.close());
    }
  }
}
