package io.mizzen.spi.mixer;

import java.time.Duration;

/**
 * The limit a quota counter enforces.
 *
 * @param maxAmount how much may be allocated per window
 * @param validDuration the window; zero means no window (allocations never expire)
 * @param bucketDuration for a rolling window, the granularity it slides by
 * @param rolling a rolling (sliding) window, or a fixed one that resets every {@code validDuration}
 * @param deduplicationDuration how long a deduplication id is remembered
 */
public record QuotaWindow(long maxAmount, Duration validDuration, Duration bucketDuration, boolean rolling,
                          Duration deduplicationDuration) {
  public QuotaWindow {
    if (maxAmount < 0) {
      throw new IllegalArgumentException("maxAmount must not be negative");
    }
    if (validDuration.isNegative() || bucketDuration.isNegative() || deduplicationDuration.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (rolling && !validDuration.isZero() && (bucketDuration.isZero() || bucketDuration.compareTo(validDuration) > 0)) {
      throw new IllegalArgumentException("a rolling window needs a bucketDuration between 0 and validDuration");
    }
  }
}
