package io.mizzen.spi.mixer;

import java.util.function.LongSupplier;

/**
 * Quota prefetch, as Istio's proxy did it: when a request names a quota, the proxy asks Mixer for
 * the amount plus {@code prefetch} more (best effort) and keeps what the request did not need in
 * a local pool, keyed by the quota and the values of the attributes Mixer's answer referenced.
 * The next requests that agree on those values, whose precondition verdict is in the
 * {@link CheckCache}, are granted from the pool without a round trip, until it is spent or the
 * grant's validDuration ends.
 *
 * <p><b>The prefetch allowance.</b> Mixer still counts every unit it grants, so the pools never
 * make Mixer grant more than its limit. But a unit granted in one quota window may be used from
 * a pool in the next (a pool lives for the grant's validDuration), so within one window the
 * requests admitted can exceed the limit by at most {@code prefetch} per quota key per proxy:
 * <em>admitted ≤ limit + proxies × prefetch</em>. The other way round, units pooled by one
 * proxy are not available to another, so a spent pool on one proxy can see 429 while another
 * still holds units; they expire with the grant. {@code prefetch = 0} turns pooling off.
 */
public interface QuotaPrefetch {

  /**
   * A Mixer that answers named quotas from pools it fills by asking {@code remote} for
   * {@code prefetch} more than needed. Put a {@link CheckCache#front} in front of it for the
   * verdicts of requests without quotas; {@code cache} here is the same cache, read for the
   * precondition of requests that can be served from a pool.
   *
   * @param nanoClock times the pools ({@code System::nanoTime} outside tests)
   */
  static Mixer front(Mixer remote, CheckCache cache, long prefetch, LongSupplier nanoClock) {
    return front(remote, cache, prefetch, null, nanoClock);
  }

  /**
   * As {@link #front(Mixer, CheckCache, long, LongSupplier)}, for requests that also name no
   * quota (a sidecar's: Mixer charges what its QuotaSpecs say). Once Mixer's answer to such a
   * request has shown which quotas it charged and how much, requests that agree with it on the
   * attributes that answer referenced are granted from the pools, or name those quotas with
   * {@code prefetch} more; that answer's verdict is reused for them for its validDuration, at
   * most {@code maxValidity} (null: no bound), like a cached one.
   */
  static Mixer front(Mixer remote, CheckCache cache, long prefetch, java.time.Duration maxValidity,
                     LongSupplier nanoClock) {
    if (prefetch < 0) {
      throw new IllegalArgumentException("prefetch must not be negative, not " + prefetch);
    }
    return new PrefetchingMixer(remote, cache, prefetch, maxValidity, nanoClock);
  }
}
