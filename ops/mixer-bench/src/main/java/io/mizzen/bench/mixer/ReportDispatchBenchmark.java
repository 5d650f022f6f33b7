package io.mizzen.bench.mixer;

import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeValues;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's Report path per attribute set, as an embedded sidecar pays it: batches of
 * {@link MixerHook#REPORT_BATCH} sets (the sidecar's batch size) shaped like the sidecar's reports of wrk's requests to ratings (its workload's attributes, a
 * new request id and times per request; values the sidecar boxes once, such as the status code
 * and the port, shared), through the bench's config — Istio's deny-by-header
 * rule and, with {@code -Dmizzen.telemetry=<shared>/istio-samples} (which {@code mixer.sh}
 * passes), Istio's standard metrics through the real prometheus adapter. Forks inherit the
 * property from the JVM that runs JMH.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReportDispatchBenchmark {
  private static final int BATCH = MixerHook.REPORT_BATCH;
  private Vertx vertx;
  private MixerEngine engine;
  private List<List<AttributeBag>> batches;
  private int next;

  /**
   * How the sidecar's bags are built: {@code layout}, as it builds them (its workload's attributes
   * shared, each request's own in a small array), or {@code whole} (a full copy per request, as
   * before 2026-11-28).
   */
  @Param({"layout", "whole"})
  public String bags;

  @Setup
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    engine = MixerProxyBench.engine(vertx);
    Instant start = Instant.parse("2026-11-27T12:00:00Z");
    batches = new ArrayList<>();
    AttributeBag workload = SidecarReports.workload(engine.vocabulary());
    AttributeLayout layout = SidecarReports.layout(workload);
    Long ok = 200L;
    Long port = 9080L;
    Long size = 612L;
    InetAddress source = AttributeValues.ipAddress("127.0.0.1");
    batches = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      List<AttributeBag> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        Instant at = start.plusNanos((b * BATCH + i) * 21_000L);
        AttributeBag.Builder bag = bags.equals("layout") ? layout.builder() : AttributeBag.builder(workload);
        batch.add(bag.put("connection.mtls", false).put("destination.port", port)
            .put("source.ip", source)
            .put("request.path", "/").put("request.url_path", "/").put("request.method", "GET")
            .put("request.host", "ratings").put("request.scheme", "http").put("request.useragent", "wrk")
            .put("request.id", UUID.randomUUID().toString()).put("request.time", at)
            .put("response.code", ok).put("response.time", at.plusNanos(150_000))
            .put("response.duration", Duration.ofNanos(140_000 + (i % 97) * 1_000L)).put("response.size", size)
            .build());
      }
      batches.add(batch);
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** One batch through the engine; the figure is per attribute set. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void reportPerSet() throws Exception {
    engine.report(batches.get(next++ & 7)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
