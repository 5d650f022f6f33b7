package io.mizzen.bench.mixer;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A check the proxy answers from its {@link CheckCache} (target ≤ 2 µs): the request's bag is
 * keyed on the attributes the cached verdict referenced (a header and the destination), among
 * 64 cached verdicts. The remote behind the cache is never reached once warm; if it were, the
 * benchmark fails loudly rather than measuring something else.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CachedCheckBenchmark {
  private Mixer proxy;
  private CheckRequest[] requests;
  private int next;

  @Setup
  public void setUp() {
    AttributeVocabulary vocabulary = AttributeVocabulary.of(Map.of(
        "destination.service.name", io.mizzen.spi.mixer.ValueType.STRING,
        "request.headers", io.mizzen.spi.mixer.ValueType.STRING_MAP,
        "source.uid", io.mizzen.spi.mixer.ValueType.STRING,
        "request.path", io.mizzen.spi.mixer.ValueType.STRING));
    CheckResponse verdict = new CheckResponse(CheckResult.ok(Duration.ofHours(1), Integer.MAX_VALUE),
        new ReferencedAttributes(Set.of("destination.service.name"), Map.of("request.headers", Set.of("x-user"))),
        List.of(), List.of(), Map.of());
    Mixer remote = new Mixer() {
      @Override
      public AttributeVocabulary vocabulary() {
        return vocabulary;
      }

      @Override
      public Future<CheckResponse> check(CheckRequest request) {
        return Future.succeededFuture(verdict);
      }

      @Override
      public Future<Void> report(List<AttributeBag> batch) {
        return Future.succeededFuture();
      }
    };
    CheckCache cache = CheckCache.create(10_000, System::nanoTime);
    proxy = cache.front(remote);
    requests = new CheckRequest[64];
    for (int i = 0; i < requests.length; i++) {
      AttributeBag bag = AttributeBag.builder(vocabulary)
          .put("destination.service.name", "svc-" + (i % 8))
          .put("request.headers", Map.of("x-user", "user-" + (i / 8), "user-agent", "bench"))
          .put("source.uid", "kubernetes://productpage-" + i)
          .put("request.path", "/reviews/" + i).build();
      requests[i] = CheckRequest.of(bag);
      proxy.check(requests[i]);
    }
    if (cache.size() != 64) {
      throw new IllegalStateException("expected 64 cached verdicts, have " + cache.size());
    }
  }

  @Benchmark
  public CheckResponse cachedCheck() {
    CheckRequest r = requests[next++ & 63];
    Future<CheckResponse> f = proxy.check(r);
    return f.result();
  }
}
