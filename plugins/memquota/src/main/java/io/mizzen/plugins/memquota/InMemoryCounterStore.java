package io.mizzen.plugins.memquota;

import io.mizzen.spi.mixer.QuotaCounterStore;
import io.mizzen.spi.mixer.QuotaWindow;
import io.vertx.core.Future;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counters in this JVM. Each counter is its own lock, so event loops contend only on the same
 * key. The clock is injected so tests can move time instead of waiting for it.
 */
final class InMemoryCounterStore implements QuotaCounterStore {
  private static final int PURGE_EVERY = 1024;

  private final LongSupplier nanoClock;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Remembered> dedup = new ConcurrentHashMap<>();
  private long calls;

  InMemoryCounterStore(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  private record Remembered(long granted, long expiresAt) {}

  @Override
  public Future<Long> allocate(QuotaWindow window, String key, long amount, boolean bestEffort, String deduplicationId) {
    long now = nanoClock.getAsLong();
    purgeNowAndThen(now);
    String dedupKey = deduplicationId == null || deduplicationId.isEmpty() ? null : key + "\u0000" + deduplicationId;
    if (dedupKey != null) {
      Remembered r = dedup.get(dedupKey);
      if (r != null && r.expiresAt() > now) {
        return Future.succeededFuture(r.granted());
      }
    }
    Counter counter = counters.computeIfAbsent(key, k -> new Counter(window, now));
    long granted = counter.take(window, now, amount, bestEffort);
    if (dedupKey != null) {
      dedup.put(dedupKey, new Remembered(granted, now + window.deduplicationDuration().toNanos()));
    }
    return Future.succeededFuture(granted);
  }

  private void purgeNowAndThen(long now) {
    boolean purge;
    synchronized (this) {
      purge = ++calls % PURGE_EVERY == 0;
    }
    if (purge) {
      for (Iterator<Remembered> it = dedup.values().iterator(); it.hasNext(); ) {
        if (it.next().expiresAt() <= now) {
          it.remove();
        }
      }
    }
  }

  /** One key's usage: a fixed window's total, or a ring of buckets for a rolling window. */
  static final class Counter {
    private long windowStart;
    private long used;
    private long[] bucketIds;
    private long[] bucketCounts;

    Counter(QuotaWindow window, long now) {
      windowStart = now;
      if (window.rolling() && !window.validDuration().isZero()) {
        int n = (int) Math.max(1, (window.validDuration().toNanos() + window.bucketDuration().toNanos() - 1) / window.bucketDuration().toNanos());
        bucketIds = new long[n];
        bucketCounts = new long[n];
        java.util.Arrays.fill(bucketIds, Long.MIN_VALUE);
      }
    }

    synchronized long take(QuotaWindow window, long now, long amount, boolean bestEffort) {
      long inUse = inUse(window, now);
      long available = Math.max(0, window.maxAmount() - inUse);
      long granted = amount <= available ? amount : bestEffort ? available : 0;
      if (granted > 0) {
        record(window, now, granted);
      }
      return granted;
    }

    private long inUse(QuotaWindow window, long now) {
      long length = window.validDuration().toNanos();
      if (length == 0) {
        return used;
      }
      if (bucketIds == null) {
        if (now - windowStart >= length) {
          windowStart = now - (now - windowStart) % length;
          used = 0;
        }
        return used;
      }
      long current = Math.floorDiv(now, window.bucketDuration().toNanos());
      long sum = 0;
      for (int i = 0; i < bucketIds.length; i++) {
        if (bucketIds[i] > current - bucketIds.length) {
          sum += bucketCounts[i];
        }
      }
      return sum;
    }

    private void record(QuotaWindow window, long now, long granted) {
      if (bucketIds == null) {
        used += granted;
        return;
      }
      long current = Math.floorDiv(now, window.bucketDuration().toNanos());
      int slot = (int) Math.floorMod(current, (long) bucketIds.length);
      if (bucketIds[slot] != current) {
        bucketIds[slot] = current;
        bucketCounts[slot] = 0;
      }
      bucketCounts[slot] += granted;
    }
  }
}
