package io.mizzen.kernel.mixer.quota;

import io.mizzen.spi.mixer.QuotaCounterStore;
import io.mizzen.spi.mixer.QuotaWindow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Quota counters in Vert.x shared data: with a clustered Vert.x these are Hazelcast maps, whose
 * partitions keep a backup on another member, so a member that dies takes no counter with it.
 *
 * <p>Each window (fixed) or bucket (rolling) is its own entry, keyed by the wall-clock index of
 * the window, so members agree on windows without talking and old entries simply expire (their
 * TTL is twice the window). An allocation reads the entries, decides, and writes with a
 * compare-and-set ({@code putIfAbsent} / {@code replaceIfPresent}); a lost race is retried, so
 * concurrent members never grant more than the limit between them. Deduplication ids are kept
 * in a second map for the window's deduplication duration.
 */
public final class SharedQuotaCounterStore implements QuotaCounterStore {
  static final String COUNTERS = "mizzen.mixer.quota.counters";
  static final String DEDUP = "mizzen.mixer.quota.dedup";
  /** Compare-and-set attempts before an allocation gives up as contended (a store failure). */
  static final int ATTEMPTS = 64;

  private final Future<AsyncMap<String, Long>> counters;
  private final Future<AsyncMap<String, Long>> dedup;
  private final LongSupplier wallClockMillis;

  private SharedQuotaCounterStore(Vertx vertx, LongSupplier wallClockMillis) {
    this.counters = vertx.sharedData().getAsyncMap(COUNTERS);
    this.dedup = vertx.sharedData().getAsyncMap(DEDUP);
    this.wallClockMillis = wallClockMillis;
  }

  /**
   * A store over {@code vertx}'s shared data. Wall-clock time (not a monotonic clock) places
   * windows, since members must agree on them; the members' clocks are assumed in sync.
   */
  public static SharedQuotaCounterStore of(Vertx vertx, LongSupplier wallClockMillis) {
    return new SharedQuotaCounterStore(vertx, wallClockMillis);
  }

  @Override
  public Future<Long> allocate(QuotaWindow window, String key, long amount, boolean bestEffort, String deduplicationId) {
    if (deduplicationId == null || deduplicationId.isEmpty()) {
      return counters.compose(m -> take(m, window, key, amount, bestEffort, 0));
    }
    String dedupKey = key + "\u0000" + deduplicationId;
    return dedup.compose(d -> d.get(dedupKey).compose(previous -> {
      if (previous != null) {
        return Future.succeededFuture(previous);
      }
      return counters.compose(m -> take(m, window, key, amount, bestEffort, 0))
          .compose(granted -> d.put(dedupKey, granted, Math.max(1, window.deduplicationDuration().toMillis())).map(granted));
    }));
  }

  private Future<Long> take(AsyncMap<String, Long> m, QuotaWindow window, String key, long amount, boolean bestEffort, int attempt) {
    if (attempt >= ATTEMPTS) {
      return Future.failedFuture(new IllegalStateException("quota counter " + key + " stayed contended for "
          + ATTEMPTS + " attempts"));
    }
    long now = wallClockMillis.getAsLong();
    long length = window.validDuration().toMillis();
    List<String> keys = new ArrayList<>();
    long ttl;
    if (length == 0) {
      keys.add(key);
      ttl = 0;
    } else if (!window.rolling()) {
      keys.add(key + "|" + Math.floorDiv(now, length));
      ttl = 2 * length;
    } else {
      long bucket = Math.max(1, window.bucketDuration().toMillis());
      long current = Math.floorDiv(now, bucket);
      int n = (int) Math.max(1, (length + bucket - 1) / bucket);
      // The current bucket last: it is the one written.
      for (long b = current - n + 1; b <= current; b++) {
        keys.add(key + "|r" + b);
      }
      ttl = length + 2 * bucket;
    }
    List<Future<Long>> reads = new ArrayList<>(keys.size());
    for (String k : keys) {
      reads.add(m.get(k));
    }
    return Future.all(reads).compose(all -> {
      long used = 0;
      for (int i = 0; i < keys.size(); i++) {
        Long v = all.resultAt(i);
        used += v == null ? 0 : v;
      }
      long available = Math.max(0, window.maxAmount() - used);
      long granted = amount <= available ? amount : bestEffort ? available : 0;
      if (granted == 0) {
        return Future.succeededFuture(0L);
      }
      String target = keys.get(keys.size() - 1);
      Long current = all.resultAt(keys.size() - 1);
      Future<Boolean> written = current == null
          ? (ttl == 0 ? m.putIfAbsent(target, granted) : m.putIfAbsent(target, granted, ttl)).map(p -> p == null)
          : m.replaceIfPresent(target, current, current + granted);
      return written.compose(ok -> ok ? Future.succeededFuture(granted)
          : take(m, window, key, amount, bestEffort, attempt + 1));
    });
  }
}
