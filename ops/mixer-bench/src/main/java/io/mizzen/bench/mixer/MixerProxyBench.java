package io.mizzen.bench.mixer;

import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.proxy.policy.SidecarMixer;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two processes behind ops/bench/mixer.sh's proxy figure, so wrk can load a sidecar with and
 * without Mixer against the same upstream:
 * {@code MixerProxyBench mixer <port>} serves Mixer (Istio's deny-by-header rule through the real
 * denier, which these requests do not match, so every check is allowed and every request reported);
 * {@code MixerProxyBench proxy <port> <upstream port> <event loops> [mixer port | embedded]} runs
 * the proxy's inbound listener in front of the upstream, with the Mixer hook as the sidecar wires
 * it ({@code SidecarMixer}, default settings): given a Mixer port, the remote client behind the
 * fail-closed guard and a check cache; given {@code embedded}, the engine in this JVM with the
 * same config ({@code plugins.settings.mixer.embedded}), behind the same cache. {@code MixerProxyBench pair <port without> <port with> <upstream port> <mixer port | embedded>}
 * runs one of each in one JVM on one event loop, so the two are measured with the same JIT state.
 * All run until killed.
 */
public final class MixerProxyBench {
  private MixerProxyBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("mixer")) {
      mixer(Integer.parseInt(args[1]));
    } else if (args.length >= 4 && args[0].equals("proxy")) {
      Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(Integer.parseInt(args[3])));
      proxy(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[2]), args.length > 4 ? args[4] : null);
    } else if (args.length >= 5 && args[0].equals("pair")) {
      // Both proxies on one event loop of one JVM: the same JIT state for the runs with and without.
      Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(1));
      proxy(vertx, Integer.parseInt(args[1]), Integer.parseInt(args[3]), null);
      proxy(vertx, Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
    } else {
      System.err.println("usage: MixerProxyBench mixer <port> | proxy <port> <upstream port> <event loops> [mixer port | embedded]"
          + " | pair <port without> <port with> <upstream port> <mixer port | embedded>");
      System.exit(2);
    }
  }

  private static void mixer(int port) throws Exception {
    Vertx vertx = MeshProxy.vertx(new VertxOptions());
    MixerEngine engine = engine(vertx);
    MixerServer server = await(MixerServer.start(vertx, engine, "127.0.0.1", port));
    System.out.println("mixer listening on " + server.port());
  }

  /**
   * The bench's engine: Istio's deny-by-header rule through the real denier; with the system
   * property {@code mizzen.telemetry} naming the shared istio-samples directory, also Istio's
   * standard metrics ({@code mixer-testdata/metrics.yaml}, {@code tcpmetrics.yaml}, {@code prometheus.yaml}) through the
   * real prometheus adapter (its /metrics on an ephemeral port), so every report is turned into
   * metric instances.
   */
  static MixerEngine engine(Vertx vertx) throws Exception {
    String telemetry = System.getProperty("mizzen.telemetry");
    List<io.mizzen.spi.mixer.MixerAdapter> adapters = telemetry == null ? List.of(new DenierAdapter())
        : List.of(new DenierAdapter(), new io.mizzen.plugins.prometheus.PrometheusAdapter());
    MixerEngine engine = await(vertx.executeBlocking(() -> MixerEngine.create(
        new BenchContext(vertx, Files.createTempDirectory("mixer-proxy-bench")), EngineOptions.defaults(), adapters)));
    List<io.mizzen.spi.config.Resource> config = new java.util.ArrayList<>(
        MixerLoad.denyJohn("mixer-proxy-bench", "request.headers[\"x-user\"] == \"john\""));
    if (telemetry != null) {
      for (String file : List.of("mixer-testdata/metrics.yaml", "mixer-testdata/tcpmetrics.yaml", "mixer-testdata/prometheus.yaml")) {
        var loaded = io.mizzen.kernel.config.ConfigLoader.create().read(java.nio.file.Path.of(telemetry, file));
        if (!loaded.errors().isEmpty()) {
          throw new IllegalStateException(file + ": " + loaded.errors());
        }
        config.addAll(loaded.resources());
      }
    }
    var refused = await(engine.apply(config, 1));
    if (!refused.isEmpty()) {
      throw new IllegalStateException("the bench config was refused: " + refused);
    }
    return engine;
  }

  private static void proxy(Vertx vertx, int port, int upstream, String mixer) throws Exception {
    List<io.mizzen.proxy.filter.ProxyFilter> filters = List.of();
    if (mixer != null) {
      MixerHook hook = new MixerHook(vertx, new WorkloadInfo("ratings", "default", Map.of("app", "ratings", "version", "v1"),
          "bookinfo-ratings", "127.0.0.1", upstream), "cluster.local");
      // The sidecar's own wiring (check cache, and for a remote Mixer its fail policy's guard).
      boolean embedded = mixer.equals("embedded");
      SidecarMixer.start(vertx, hook, embedded ? engine(vertx) : null,
          SidecarMixer.Settings.of(Map.of("mixer", embedded ? "off" : "127.0.0.1:" + mixer), 9091));
      filters = List.of(hook);
    }
    MeshProxy proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(port, upstream), filters));
    await(proxy.apply(new ProxySnapshot("1", List.of(), List.of())));
    System.out.println("proxy inbound on " + proxy.inboundPort() + (mixer == null ? " without Mixer" : " with Mixer " + mixer));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
