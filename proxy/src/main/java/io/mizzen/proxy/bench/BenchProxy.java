package io.mizzen.proxy.bench;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.Map;

/**
 * Runs one Mizzen sidecar for the benchmark: {@code BenchProxy <listenPort> <upstreamPort>
 * <eventLoops>}. Requests with {@code Host: bench} go through a VirtualService (with a retry
 * policy and a request header operation) and a DestinationRule (round robin, connection pool) to
 * the upstream. Prints {@code READY <port>} once serving; runs until killed.
 */
public final class BenchProxy {
  private BenchProxy() {}

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: BenchProxy <listenPort> <upstreamPort> <eventLoops>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    int loops = Integer.parseInt(args[2]);
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(loops).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1);
    // As the kernel's default (transport: auto); -Dmizzen.transport=nio measures NIO instead.
    io.vertx.core.transport.Transport transport = "nio".equals(System.getProperty("mizzen.transport"))
        ? io.vertx.core.transport.Transport.NIO : MeshProxy.fastestTransport();
    Vertx vertx = Vertx.builder().with(options).withTransport(transport).build();
    System.out.println("transport " + transport.name());
    Map<String, Object> vs = Map.of(
        "hosts", List.of("bench"),
        "http", List.of(Map.of(
            "headers", Map.of("request", Map.of("set", Map.of("x-mesh", "mizzen"))),
            "retries", Map.of("attempts", 2, "retryOn", "connect-failure,reset"),
            "route", List.of(Map.of("destination", Map.of("host", "bench", "subset", "v1"))))));
    Map<String, Object> dr = Map.of(
        "host", "bench",
        "trafficPolicy", Map.of(
            "loadBalancer", Map.of("simple", "ROUND_ROBIN"),
            "connectionPool", Map.of("tcp", Map.of("maxConnections", 10000),
                "http", Map.of("http1MaxPendingRequests", 10000, "idleTimeout", "60s"))),
        "subsets", List.of(Map.of("name", "v1", "labels", Map.of("version", "v1"))));
    SourceLocation here = new SourceLocation("BenchProxy", 0, 1);
    ProxySnapshot snapshot = new ProxySnapshot("bench", List.of(
        new Resource("networking.istio.io/v1alpha3", "VirtualService", "bench", "default", null, null, vs, here),
        new Resource("networking.istio.io/v1alpha3", "DestinationRule", "bench", "default", null, null, dr, here)),
        List.of(new ServiceInstance("bench", "default", "bench.default.svc.cluster.local", "127.0.0.1",
            List.of(new ServicePort("http", 80, upstream, "HTTP")), Map.of("app", "bench", "version", "v1"), null, "bench")));
    MeshProxy.start(vertx, ProxyOptions.sidecar().withOutboundPort(port))
        .compose(proxy -> proxy.apply(snapshot).map(proxy))
        .onSuccess(proxy -> System.out.println("READY " + proxy.outboundPort()))
        .onFailure(e -> {
          System.err.println("BenchProxy failed to start: " + e.getMessage());
          vertx.close();
          System.exit(1);
        });
  }
}
