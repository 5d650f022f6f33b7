package io.mizzen.kernel.agent.identity;

import io.mizzen.spi.ca.IssuedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps a workload certificate fresh: renews at half of its remaining lifetime, give or take a
 * jitter of 5% of it (so a fleet started together does not renew together), and on failure
 * retries with doubling delays until it succeeds, also past expiry. Driven by Vert.x timers on the
 * caller's context; it has no thread of its own.
 */
public interface RotationSchedule {
  /** The share of the lifetime after which a certificate is renewed. */
  double RENEW_AT = 0.5;
  /** The jitter around {@link #RENEW_AT}, as a share of the lifetime, either way. */
  double JITTER = 0.05;
  /** The first retry delay after a failed renewal; it doubles up to {@link #MAX_RETRY}. */
  Duration FIRST_RETRY = Duration.ofSeconds(1);
  /** The longest delay between two renewal attempts. */
  Duration MAX_RETRY = Duration.ofMinutes(1);

  /**
   * Starts renewing {@code current}.
   *
   * @param renew gets a new certificate (a new key, CSR and request); its failure schedules a retry
   * @param installed called on the caller's context with each new certificate, to swap it in
   */
  static RotationSchedule start(Vertx vertx, IssuedCertificate current, Supplier<Future<IssuedCertificate>> renew,
      Consumer<IssuedCertificate> installed, Clock clock, Random random) {
    return start(vertx, current, renew, installed, clock, random, FIRST_RETRY);
  }

  /** As {@link #start(Vertx, IssuedCertificate, Supplier, Consumer, Clock, Random)}, with the first retry delay. */
  static RotationSchedule start(Vertx vertx, IssuedCertificate current, Supplier<Future<IssuedCertificate>> renew,
      Consumer<IssuedCertificate> installed, Clock clock, Random random, Duration firstRetry) {
    TimerRotation rotation = new TimerRotation(vertx, renew, installed, clock, random, firstRetry);
    rotation.schedule(current);
    return rotation;
  }

  /**
   * When to renew a certificate that has {@code remaining} left: at {@link #RENEW_AT} of it,
   * moved by up to {@link #JITTER} of it either way.
   *
   * @param uniform a draw in [0, 1)
   */
  static Duration renewalDelay(Duration remaining, double uniform) {
    if (remaining.isNegative() || remaining.isZero()) {
      return Duration.ZERO;
    }
    double share = RENEW_AT + JITTER * (2 * uniform - 1);
    return Duration.ofNanos((long) (remaining.toNanos() * share));
  }

  /** The delay before retry number {@code attempt} (1 for the first), doubling from {@code first} up to {@link #MAX_RETRY}. */
  static Duration retryDelay(Duration first, int attempt) {
    long millis = first.toMillis() << Math.min(attempt - 1, 20);
    return Duration.ofMillis(Math.min(millis, MAX_RETRY.toMillis()));
  }

  /** The certificate in use now. */
  IssuedCertificate current();

  /** When the next renewal attempt is due. */
  Instant nextAttempt();

  /** How many renewals have failed in a row. */
  int failures();

  /** Cancels the pending timer; no renewal starts afterwards. */
  void stop();
}
