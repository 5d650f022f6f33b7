package io.mizzen.kernel.mixer.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.spi.mixer.QuotaWindow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared store on a local Vert.x (the same shared-data API a cluster serves); the wall clock is faked. */
class SharedQuotaCounterStoreTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final SharedQuotaCounterStore store = SharedQuotaCounterStore.of(vertx, now::get);

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private long take(QuotaWindow w, String key, long amount, boolean bestEffort, String dedup) throws Exception {
    return store.allocate(w, key, amount, bestEffort, dedup).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void fixedWindowGrantsTheLimitThenResetsInTheNextWindow() throws Exception {
    QuotaWindow w = new QuotaWindow(3, Duration.ofSeconds(10), Duration.ZERO, false, Duration.ofSeconds(10));
    now.set(1_700_000_000_000L - 1_700_000_000_000L % 10_000);
    assertEquals(2, take(w, "k", 2, false, null));
    assertEquals(0, take(w, "k", 2, false, null), "all or nothing");
    assertEquals(1, take(w, "k", 2, true, null), "best effort takes what is left");
    assertEquals(3, take(w, "other", 3, false, null), "keys are counted apart");
    now.addAndGet(10_000);
    assertEquals(2, take(w, "k", 2, false, null), "a new window");
  }

  @Test
  void rollingWindowFreesBucketByBucket() throws Exception {
    QuotaWindow w = new QuotaWindow(2, Duration.ofSeconds(3), Duration.ofSeconds(1), true, Duration.ofSeconds(3));
    now.set(1_700_000_000_000L);
    assertEquals(1, take(w, "k", 1, false, null));
    now.addAndGet(1_000);
    assertEquals(1, take(w, "k", 1, false, null));
    assertEquals(0, take(w, "k", 1, false, null));
    now.addAndGet(2_000);
    assertEquals(1, take(w, "k", 1, false, null), "the first bucket slid out");
    assertEquals(0, take(w, "k", 1, false, null));
  }

  @Test
  void aRetriedDeduplicationIdIsAnsweredAgainAndNotCounted() throws Exception {
    QuotaWindow w = new QuotaWindow(2, Duration.ZERO, Duration.ZERO, false, Duration.ofSeconds(60));
    assertEquals(1, take(w, "k", 1, false, "req-1"));
    assertEquals(1, take(w, "k", 1, false, "req-1"));
    assertEquals(1, take(w, "k", 1, false, "req-2"));
    assertEquals(0, take(w, "k", 1, false, "req-3"));
  }

  @Test
  void concurrentAllocationsNeverGrantMoreThanTheLimit() throws Exception {
    QuotaWindow w = new QuotaWindow(50, Duration.ZERO, Duration.ZERO, false, Duration.ZERO);
    List<Future<Long>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(store.allocate(w, "hot", 1, false, null));
    }
    Future.all(all).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(50, all.stream().mapToLong(Future::result).sum());
  }
}
