package io.mizzen.bench.mixer;

import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeLayout;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.remote.MixerWireCodec;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a sidecar with a remote Mixer pays per finished request to put its report on the wire:
 * batches of {@link MixerHook#REPORT_BATCH} sets, shaped as the sidecar builds them for wrk's
 * requests to ratings (the workload's attributes shared in the bags' layout; each request's own
 * values new objects, as the sidecar's decoder gives them: the strings equal from one request to
 * the next but not the same object, a new request id and new times), delta-encoded to their wire
 * bytes as the sidecar's report batch writes them. Each set is built as the writer reaches it, as
 * the sidecar writes each report when its request finishes: it is in the CPU's cache then, as
 * there (a thousand sets built ahead measure the memory's latency instead). The figure is per
 * attribute set, building it included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReportWriteBenchmark {
  private static final int BATCH = MixerHook.REPORT_BATCH;
  private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");
  private static final Long OK = 200L;
  private static final Long PORT = 9080L;
  private static final Long SIZE = 612L;
  private AttributeLayout layout;
  private int[] slots;
  private InetAddress source;
  private String[] ids;
  /** A batch whose sets are built as the writer reaches them, as the sidecar writes each as it finishes. */
  private List<AttributeBag> batch;
  private long next;

  @Setup
  public void setUp() throws Exception {
    // The vocabulary Mixer's server sends the sidecar: the bench engine's.
    Vertx vertx = Vertx.vertx();
    AttributeVocabulary vocabulary;
    try {
      vocabulary = MixerProxyBench.engine(vertx).vocabulary();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    AttributeBag workload = SidecarReports.workload(vocabulary);
    layout = SidecarReports.layout(workload);
    // Put by index, as the sidecar does (it finds the indexes once per vocabulary); response.time
    // left out, as the sidecar leaves it when the config reads only response.duration.
    slots = SidecarReports.OWN.stream().filter(name -> !name.equals("response.time"))
        .mapToInt(vocabulary::indexOf).toArray();
    source = AttributeValues.ipAddress("127.0.0.1");
    ids = new String[1024];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = UUID.randomUUID().toString();
    }
    batch = new AbstractList<>() {
      @Override
      public AttributeBag get(int i) {
        return bag(i);
      }

      @Override
      public int size() {
        return BATCH;
      }
    };
  }

  /**
   * A request's report as the sidecar builds it: its own values new objects (the strings equal
   * to the last request's, not the same), the shared ones boxed once; in the order of {@link #slots}.
   */
  private AttributeBag bag(int i) {
    long n = next++;
    Object[] values = {false, PORT, source, new String("/"), new String("/"), "GET", new String("ratings"), "http",
        new String("wrk"), new String(ids[(int) n & 1023]), START.plusNanos(n * 21_000L), OK,
        Duration.ofNanos(140_000 + (i % 97) * 1_000L), SIZE};
    AttributeBag.Builder b = layout.builder();
    for (int k = 0; k < values.length; k++) {
      b.put(slots[k], values[k]);
    }
    return b.build();
  }

  /** One batch written; the figure is per attribute set. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public byte[] writePerSet() {
    return MixerWireCodec.encodeBatchBytes(batch);
  }
}
