package io.mizzen.bench.mixer;

import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two processes behind ops/bench/mixer.sh's proxy figure, so wrk can load a sidecar with and
 * without Mixer against the same upstream:
 * {@code MixerProxyBench mixer <port>} serves Mixer (Istio's deny-by-header rule through the real
 * denier, which these requests do not match, so every check is allowed and every request reported);
 * {@code MixerProxyBench proxy <port> <upstream port> <event loops> [mixer port]} runs the proxy's
 * inbound listener in front of the upstream, with the Mixer hook (check cache on, reports batched,
 * as the sidecar wires it) when a Mixer port is given. Both run until killed.
 */
public final class MixerProxyBench {
  private MixerProxyBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("mixer")) {
      mixer(Integer.parseInt(args[1]));
    } else if (args.length >= 4 && args[0].equals("proxy")) {
      proxy(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          args.length > 4 ? Integer.parseInt(args[4]) : -1);
    } else {
      System.err.println("usage: MixerProxyBench mixer <port> | proxy <port> <upstream port> <event loops> [mixer port]");
      System.exit(2);
    }
  }

  private static void mixer(int port) throws Exception {
    Vertx vertx = Vertx.vertx();
    MixerEngine engine = await(vertx.executeBlocking(() -> MixerEngine.create(
        new BenchContext(vertx, Files.createTempDirectory("mixer-proxy-bench")), EngineOptions.defaults(), List.of(new DenierAdapter()))));
    if (!await(engine.apply(MixerLoad.denyJohn("mixer-proxy-bench", "request.headers[\"x-user\"] == \"john\""), 1)).isEmpty()) {
      throw new IllegalStateException("the bench config was refused");
    }
    MixerServer server = await(MixerServer.start(vertx, engine, "127.0.0.1", port));
    System.out.println("mixer listening on " + server.port());
  }

  private static void proxy(int port, int upstream, int eventLoops, int mixerPort) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    List<io.mizzen.proxy.filter.ProxyFilter> filters = List.of();
    if (mixerPort > 0) {
      MixerHook hook = new MixerHook(vertx, new WorkloadInfo("ratings", "default", Map.of("app", "ratings", "version", "v1"),
          "bookinfo-ratings", "127.0.0.1", upstream), "cluster.local");
      hook.use(await(RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(mixerPort, "127.0.0.1"))),
          () -> CheckCache.create(10_000, Duration.ofSeconds(2), System::nanoTime));
      filters = List.of(hook);
    }
    MeshProxy proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(port, upstream), filters));
    await(proxy.apply(new ProxySnapshot("1", List.of(), List.of())));
    System.out.println("proxy inbound on " + proxy.inboundPort() + (mixerPort > 0 ? " with Mixer at " + mixerPort : " without Mixer"));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
