package io.mizzen.proxy.tls;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.authz.InboundSecurity;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sidecar pair for {@code ops/bench/citadel.sh} (a main, not a test): an upstream app, the
 * server workload's sidecar (inbound in front of it) and the client workload's sidecar (outbound
 * to it). {@code MeshPairBench on|off <dir>}: with {@code on} the pair speaks ISTIO_MUTUAL and the
 * inbound is STRICT; with {@code off} both sides are plain text. Writes the client's cert-chain.pem,
 * key.pem and root-cert.pem to {@code dir} (for openssl s_time against the inbound), prints
 * {@code READY <outboundPort> <inboundPort>} and runs until killed.
 */
public final class MeshPairBench {
  private MeshPairBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2 || !List.of("on", "off").contains(args[0])) {
      System.err.println("usage: MeshPairBench on|off <dir>");
      System.exit(2);
    }
    boolean mtls = args[0].equals("on");
    Path dir = Path.of(args[1]);
    TestPki pki = new TestPki("bench-mesh");
    WorkloadCredentials client = pki.workload("client");
    Files.writeString(dir.resolve("cert-chain.pem"), client.certificateChainPem());
    Files.writeString(dir.resolve("key.pem"), client.privateKeyPem());
    Files.writeString(dir.resolve("root-cert.pem"), pki.rootPem());

    Vertx appVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpServer app = appVertx.createHttpServer().requestHandler(req -> req.response().end("ok")).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get();
    // Each sidecar on event loops of its own, as two sidecar processes have (SPLIT=false: one
    // Vert.x with 2 loops shared by both, where which loop each connection lands on varies per run).
    boolean split = !"false".equals(System.getenv("SPLIT"));
    Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(split ? 1 : 2));
    Vertx outVertx = split ? MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(1)) : vertx;
    WorkloadInfo server = new WorkloadInfo("bench", "default", Map.of("app", "bench"), "bench", "127.0.0.1", 80);
    InboundSecurity security = InboundSecurity.of(vertx, server, "istio-system", "cluster.local", Clock.systemUTC());
    MeshProxy inbound = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(-1).withInbound(0, app.actualPort()),
        List.of(), mtls ? MeshTls.create(new HeldCertificates(pki.workload("bench"))) : null, "cluster.local", mtls ? security : null));
    MeshProxy outbound = await(ProxyEngine.start(outVertx, ProxyOptions.sidecar().withOutboundPort(0), List.of(),
        mtls ? MeshTls.create(new HeldCertificates(client)) : null, "cluster.local"));
    SourceLocation here = new SourceLocation("MeshPairBench", 0, 1);
    List<Resource> resources = new ArrayList<>();
    resources.add(new Resource("networking.istio.io/v1alpha3", "DestinationRule", "bench", "default", null, null,
        Map.of("host", "bench", "trafficPolicy", Map.of("tls", Map.of("mode", mtls ? "ISTIO_MUTUAL" : "DISABLE"),
            "connectionPool", Map.of("tcp", Map.of("maxConnections", 10000),
                "http", Map.of("http1MaxPendingRequests", 10000, "idleTimeout", "60s")))), here));
    if (mtls) {
      resources.add(new Resource("security.istio.io/v1beta1", "PeerAuthentication", "default", "default", null, null,
          Map.of("mtls", Map.of("mode", "STRICT")), here));
    }
    ProxySnapshot snapshot = new ProxySnapshot("bench", resources, List.of(new ServiceInstance("bench", "default",
        "bench.default.svc.cluster.local", "127.0.0.1", List.of(new ServicePort("http", 80, inbound.inboundPort(), "HTTP")),
        Map.of("app", "bench"), "bench", "bench")));
    await(Future.join(inbound.apply(snapshot), outbound.apply(snapshot)));
    System.out.println("READY " + outbound.outboundPort() + " " + inbound.inboundPort());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }
}
