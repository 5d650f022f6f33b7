package io.mizzen.kernel.agent;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th retry waits a random time between half and all of
 * {@code min(max, base × 2ⁿ)}, so agents that lost one control plane do not all knock at once.
 *
 * @param base the first delay
 * @param max the longest delay
 */
record Backoff(Duration base, Duration max) {

  /** The delay before retry {@code attempt} (0 for the first), given a random number in [0, 1). */
  Duration delay(int attempt, DoubleSupplier random) {
    long ceiling = base.toMillis() << Math.min(attempt, 20);
    long capped = Math.min(max.toMillis(), Math.max(1, ceiling));
    return Duration.ofMillis(capped / 2 + (long) (capped / 2.0 * random.getAsDouble()));
  }
}
