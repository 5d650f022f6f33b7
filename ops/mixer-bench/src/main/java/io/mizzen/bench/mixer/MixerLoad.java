package io.mizzen.bench.mixer;

import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The remote figures for ops/bench/mixer.sh: a Mixer server (engine with Istio's deny-by-header
 * rule through the real denier) on 127.0.0.1, a gRPC client with no cache in front, then
 * (0) the engine in-process, for reference; (1) uncached check latency, one at a time: p50/p99;
 * (2) checks/s with 64 in flight; (3) report attribute sets/s in batches of 100 with 16 in flight.
 * The server runs on one event loop per core and the client over one connection per core, each
 * on its own event loop (as several proxies would). Each phase is bounded in time.
 * Usage: {@code MixerLoad [seconds per phase, default 5] [client connections, default cores]
 * [server event loops, default cores]}.
 */
public final class MixerLoad {
  private MixerLoad() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    int serverLoops = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx();
    try {
      MixerEngine engine = vertx.executeBlocking(() -> MixerEngine.create(
          new BenchContext(vertx, Files.createTempDirectory("mixer-bench")), EngineOptions.defaults(), List.of(new DenierAdapter())))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (!engine.apply(config(), 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).isEmpty()) {
        throw new IllegalStateException("the bench config was refused");
      }
      MixerServer server = MixerServer.start(vertx, engine, "127.0.0.1", 0, serverLoops)
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<Connection> clients = connect(vertx, server.port(), connections);
      System.out.printf(Locale.ROOT, "server on %d event loops, %d client connections each on its own event loop, %d cores%n",
          serverLoops, connections, Runtime.getRuntime().availableProcessors());
      checksPerSecond("in-process engine (no network, the calling thread)", List.of(new Connection(null, engine)), seconds);
      // Warm-up (JIT, connections), not reported.
      checksPerSecond(null, clients, Math.max(1, seconds / 2));
      latency(clients.get(0), seconds);
      checksPerSecond("uncached remote checks, 64 in flight", clients, seconds);
      reportsPerSecond(clients, seconds);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** A client and the event loop it runs on; null context: call from the current thread. */
  private record Connection(Context context, Mixer mixer) {
    void run(Runnable r) {
      if (context == null) {
        r.run();
      } else {
        context.runOnContext(v -> r.run());
      }
    }
  }

  /**
   * One gRPC client (one HTTP/2 connection) per event loop: a verticle instance each, so the
   * connections and their callbacks are spread instead of all riding the main thread's loop.
   */
  private static List<Connection> connect(Vertx vertx, int port, int n) throws Exception {
    List<Connection> out = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(port, "127.0.0.1"))
            .onSuccess(m -> out.add(new Connection(context, m)));
      }
    }, new DeploymentOptions().setInstances(n)).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return List.copyOf(out);
  }

  private static List<Resource> config() {
    return denyJohn("mixer-bench", "request.headers[\"x-user\"] == \"john\" && destination.service.name == \"reviews\"");
  }

  /** The benches' Mixer config: the denier, refusing what {@code match} selects (john, say). */
  static List<Resource> denyJohn(String origin, String match) {
    SourceLocation at = SourceLocation.unknown(origin);
    return List.of(
        new Resource("config.istio.io/v1alpha2", "handler", "denyjohn", "istio-system", Map.of(), Map.of(),
            Map.of("compiledAdapter", "denier", "params", Map.of("status", Map.of("code", 7, "message", "no john"))), at),
        new Resource("config.istio.io/v1alpha2", "instance", "denyrequest", "istio-system", Map.of(), Map.of(),
            Map.of("compiledTemplate", "checknothing"), at),
        new Resource("config.istio.io/v1alpha2", "rule", "denyjohn", "istio-system", Map.of(), Map.of(),
            Map.of("match", match,
                "actions", List.of(Map.of("handler", "denyjohn", "instances", List.of("denyrequest")))), at));
  }

  private static AttributeBag bag(Mixer m, long i) {
    return AttributeBag.builder(m.vocabulary())
        .put("destination.service.name", "reviews")
        .put("request.headers", Map.of("x-user", i % 10 == 0 ? "john" : "user-" + i))
        .put("request.path", "/reviews/" + i)
        .put("source.uid", "kubernetes://productpage-v1-" + (i % 16) + ".default").build();
  }

  private static void latency(Connection connection, int seconds) throws Exception {
    Mixer client = connection.mixer();
    long[] samples = new long[2_000_000];
    AtomicLong n = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    Promise<Void> done = Promise.promise();
    connection.run(() -> oneAtATime(client, samples, n, end, done));
    done.future().toCompletionStage().toCompletableFuture().get(seconds + 30L, TimeUnit.SECONDS);
    int count = (int) Math.min(n.get(), samples.length);
    long[] s = Arrays.copyOf(samples, count);
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "uncached remote check, one at a time: %d checks, p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs%n",
        count, s[count / 2] / 1e3, s[(int) (count * 0.99)] / 1e3, s[(int) (count * 0.999)] / 1e3);
  }

  private static void oneAtATime(Mixer client, long[] samples, AtomicLong n, long end, Promise<Void> done) {
    long i = n.get();
    if (System.nanoTime() > end || i >= samples.length) {
      done.complete();
      return;
    }
    long start = System.nanoTime();
    client.check(CheckRequest.of(bag(client, i))).onComplete(r -> {
      if (r.failed()) {
        done.fail(r.cause());
        return;
      }
      samples[(int) i] = System.nanoTime() - start;
      n.incrementAndGet();
      oneAtATime(client, samples, n, end, done);
    });
  }

  private static void checksPerSecond(String what, List<Connection> clients, int seconds) throws Exception {
    AtomicLong n = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 64; lane++) {
      Promise<Void> p = Promise.promise();
      Connection c = clients.get(lane % clients.size());
      long base = lane * 1_000_000_000L;
      c.run(() -> lane(c.mixer(), n, end, p, base));
      lanes.add(p.future());
    }
    Future.all(lanes).toCompletionStage().toCompletableFuture().get(seconds + 30L, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - start) / 1e9;
    if (what != null) {
      System.out.printf(Locale.ROOT, "%s: %.0f checks/s%n", what, n.get() / secs);
    }
  }

  private static void lane(Mixer client, AtomicLong n, long end, Promise<Void> done, long base) {
    // An in-process engine may answer at once: loop while it does, so the stack stays flat.
    while (System.nanoTime() <= end) {
      Future<?> f = client.check(CheckRequest.of(bag(client, base + n.get())));
      if (f.isComplete()) {
        if (f.failed()) {
          done.fail(f.cause());
          return;
        }
        n.incrementAndGet();
        continue;
      }
      f.onComplete(r -> {
        if (r.failed()) {
          done.fail(r.cause());
          return;
        }
        n.incrementAndGet();
        lane(client, n, end, done, base);
      });
      return;
    }
    done.tryComplete();
  }

  private static void reportsPerSecond(List<Connection> clients, int seconds) throws Exception {
    List<AttributeBag> batch = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      batch.add(bag(clients.get(0).mixer(), i));
    }
    AtomicLong sets = new AtomicLong();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 16; lane++) {
      Promise<Void> p = Promise.promise();
      Connection c = clients.get(lane % clients.size());
      c.run(() -> reportLane(c.mixer(), batch, sets, end, p));
      lanes.add(p.future());
    }
    Future.all(lanes).toCompletionStage().toCompletableFuture().get(seconds + 30L, TimeUnit.SECONDS);
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "reports, batches of 100, 16 in flight: %.0f attribute sets/s%n", sets.get() / secs);
  }

  private static void reportLane(Mixer client, List<AttributeBag> batch, AtomicLong sets, long end, Promise<Void> done) {
    if (System.nanoTime() > end) {
      done.complete();
      return;
    }
    client.report(batch).onComplete(r -> {
      if (r.failed()) {
        done.fail(r.cause());
        return;
      }
      sets.addAndGet(batch.size());
      reportLane(client, batch, sets, end, done);
    });
  }
}
