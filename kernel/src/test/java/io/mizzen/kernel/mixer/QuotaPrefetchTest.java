package io.mizzen.kernel.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.memquota.MemquotaAdapter;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckCache;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.QuotaArgs;
import io.mizzen.spi.mixer.QuotaPrefetch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy's quota prefetch against the real engine and memquota; the proxy's clock is faked. */
class QuotaPrefetchTest {
  private static final String CONFIG = """
      apiVersion: config.istio.io/v1alpha2
      kind: handler
      metadata: {name: limit, namespace: istio-system}
      spec:
        compiledAdapter: memquota
        params:
          quotas:
          - name: requestcount.quota.istio-system
            maxAmount: 20
            validDuration: 60s
      ---
      apiVersion: config.istio.io/v1alpha2
      kind: quota
      metadata: {name: requestcount, namespace: istio-system}
      spec:
        dimensions:
          destination: destination.service.name | "unknown"
      ---
      apiVersion: config.istio.io/v1alpha2
      kind: rule
      metadata: {name: quota, namespace: istio-system}
      spec:
        actions:
        - handler: limit
          instances: [requestcount.quota]
      """;

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Counts the Check calls that reach the engine: the round trips prefetch saves. */
  private record Counting(Mixer engine, AtomicInteger calls) implements Mixer {
    @Override
    public AttributeVocabulary vocabulary() {
      return engine.vocabulary();
    }

    @Override
    public Future<CheckResponse> check(CheckRequest request) {
      calls.incrementAndGet();
      return engine.check(request);
    }

    @Override
    public Future<Void> report(List<AttributeBag> batch) {
      return engine.report(batch);
    }
  }

  private MixerEngine engine() throws Exception {
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir), EngineOptions.defaults(), List.of(new MemquotaAdapter()));
    assertEquals(List.of(), engine.apply(TestResources.parse(CONFIG, "quota.yaml"), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return engine;
  }

  private static long ask(Mixer mixer, String destination, int i) throws Exception {
    AttributeBag bag = AttributeBag.builder(mixer.vocabulary()).put("destination.service.name", destination).build();
    CheckResponse r = mixer.check(new CheckRequest(bag, Map.of("requestcount", new QuotaArgs(1, "r" + i, false))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return r.quotas().get("requestcount").granted();
  }

  @Test
  void prefetchSavesRoundTripsAndNeverGrantsMoreThanTheLimit() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Mixer counted = new Counting(engine(), calls);
    CheckCache cache = CheckCache.create(100, now::get);
    Mixer proxy = cache.front(QuotaPrefetch.front(counted, cache, 4, now::get));
    long granted = 0;
    for (int i = 0; i < 30; i++) {
      granted += ask(proxy, "ratings", i);
    }
    assertEquals(20, granted, "the limit holds: Mixer counts every prefetched unit");
    assertTrue(calls.get() <= 4 + 10, "each round trip brings 1 + 4 units: 4 trips serve 20, then denials; was " + calls.get());
    long other = 0;
    for (int i = 0; i < 3; i++) {
      other += ask(proxy, "reviews", 100 + i);
    }
    assertEquals(3, other, "another destination has its own counter and its own pool");
  }

  @Test
  void twoProxiesSharingOneLimitStayWithinIt() throws Exception {
    MixerEngine engine = engine();
    CheckCache a = CheckCache.create(100, now::get);
    CheckCache b = CheckCache.create(100, now::get);
    Mixer first = a.front(QuotaPrefetch.front(engine, a, 4, now::get));
    Mixer second = b.front(QuotaPrefetch.front(engine, b, 4, now::get));
    long granted = 0;
    for (int i = 0; i < 20; i++) {
      granted += ask(first, "ratings", i) + ask(second, "ratings", 1000 + i);
    }
    assertTrue(granted <= 20, "granted " + granted);
    assertTrue(granted >= 20 - 4, "at most one proxy's prefetch can sit unused: granted " + granted);
  }

  @Test
  void pooledUnitsDieWithTheGrant() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    CheckCache cache = CheckCache.create(100, now::get);
    Mixer proxy = cache.front(QuotaPrefetch.front(new Counting(engine(), calls), cache, 4, now::get));
    assertEquals(1, ask(proxy, "ratings", 1));
    assertEquals(1, ask(proxy, "ratings", 2));
    assertEquals(1, calls.get(), "the second came from the pool");
    now.addAndGet(TimeUnit.SECONDS.toNanos(61));
    assertEquals(1, ask(proxy, "ratings", 3));
    assertEquals(2, calls.get(), "the pool expired with the grant's validDuration");
  }
}
