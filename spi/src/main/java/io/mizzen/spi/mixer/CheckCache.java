package io.mizzen.spi.mixer;

import java.util.function.LongSupplier;

/**
 * The proxy-side cache of Check verdicts, as Istio's proxy kept it: a verdict is stored under
 * the values of the attributes it referenced, and reused for any request that agrees on them,
 * until its validDuration runs out or it has been used validUseCount times. Verdicts that
 * involved quotas are not reused (the quota must be asked for every request). Thread-safe.
 */
public interface CheckCache {

  /**
   * The cached answer for {@code bag}, counting one use; null on a miss.
   */
  CheckResponse lookup(AttributeBag bag);

  /** Remembers {@code response} for requests that agree with {@code bag} on what it referenced. */
  void store(AttributeBag bag, CheckResponse response);

  /** How many verdicts are held. */
  int size();

  /** Forgets every verdict (the config they were given under is no longer in force). */
  void clear();

  /** A Mixer that answers from this cache when it can and asks {@code remote} otherwise. */
  default Mixer front(Mixer remote) {
    return new CachingMixer(remote, this);
  }

  /**
   * A cache of at most {@code maxEntries} verdicts (least recently used evicted first), timed by
   * {@code nanoClock} ({@code System::nanoTime} outside tests).
   */
  static CheckCache create(int maxEntries, LongSupplier nanoClock) {
    return new ReferencedAttributesCache(maxEntries, null, nanoClock);
  }

  /**
   * As {@link #create(int, LongSupplier)}, but no verdict is reused for longer than
   * {@code maxValidity} whatever validDuration Mixer gave it: the bound on how long a policy
   * change can go unseen when no answer from Mixer has told of it.
   */
  static CheckCache create(int maxEntries, java.time.Duration maxValidity, LongSupplier nanoClock) {
    if (maxValidity == null || maxValidity.isNegative() || maxValidity.isZero()) {
      throw new IllegalArgumentException("maxValidity must be positive, not " + maxValidity);
    }
    return new ReferencedAttributesCache(maxEntries, maxValidity, nanoClock);
  }
}
