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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link RotationSchedule} on one Vert.x timer at a time. */
final class TimerRotation implements RotationSchedule {
  private static final Logger LOG = LoggerFactory.getLogger(TimerRotation.class);
  private final Vertx vertx;
  private final Supplier<Future<IssuedCertificate>> renew;
  private final Consumer<IssuedCertificate> installed;
  private final Clock clock;
  private final Random random;
  private final Duration firstRetry;
  private volatile IssuedCertificate current;
  private volatile Instant nextAttempt;
  private volatile int failures;
  private volatile boolean stopped;
  private long timer = -1;

  TimerRotation(Vertx vertx, Supplier<Future<IssuedCertificate>> renew, Consumer<IssuedCertificate> installed,
      Clock clock, Random random, Duration firstRetry) {
    this.vertx = vertx;
    this.renew = renew;
    this.installed = installed;
    this.clock = clock;
    this.random = random;
    this.firstRetry = firstRetry;
  }

  void schedule(IssuedCertificate cert) {
    current = cert;
    Duration remaining = Duration.between(clock.instant(), cert.notAfter());
    arm(RotationSchedule.renewalDelay(remaining, random.nextDouble()));
  }

  private synchronized void arm(Duration delay) {
    if (stopped) {
      return;
    }
    nextAttempt = clock.instant().plus(delay);
    // Vert.x timers need at least 1 ms.
    timer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> attempt());
  }

  private void attempt() {
    if (stopped) {
      return;
    }
    Future<IssuedCertificate> next;
    try {
      next = renew.get();
    } catch (RuntimeException e) {
      next = Future.failedFuture(e);
    }
    next.onComplete(result -> {
      if (stopped) {
        return;
      }
      if (result.succeeded()) {
        failures = 0;
        // current() answers the new certificate by the time the caller swaps it in.
        current = result.result();
        installed.accept(result.result());
        schedule(result.result());
      } else {
        failures++;
        Duration retry = RotationSchedule.retryDelay(firstRetry, failures);
        LOG.warn("certificate renewal failed ({} in a row; current one expires {}), retrying in {} ms: {}", failures,
            current.notAfter(), retry.toMillis(), result.cause().toString());
        arm(retry);
      }
    });
  }

  @Override
  public IssuedCertificate current() {
    return current;
  }

  @Override
  public Instant nextAttempt() {
    return nextAttempt;
  }

  @Override
  public int failures() {
    return failures;
  }

  @Override
  public synchronized void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
