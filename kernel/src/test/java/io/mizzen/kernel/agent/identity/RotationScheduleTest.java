package io.mizzen.kernel.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.IssuedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RotationScheduleTest {

  @Test
  void renewsAtHalfTheLifetimeGiveOrTakeFivePercent() {
    Duration day = Duration.ofHours(24);
    assertEquals(Duration.ofHours(12), RotationSchedule.renewalDelay(day, 0.5));
    assertEquals(Duration.ofMinutes((long) (24 * 60 * 0.45)), RotationSchedule.renewalDelay(day, 0.0));
    Duration latest = RotationSchedule.renewalDelay(day, 0.999999);
    assertTrue(latest.compareTo(Duration.ofMinutes((long) (24 * 60 * 0.55))) < 0 && latest.compareTo(Duration.ofHours(13)) > 0, latest.toString());
    assertEquals(Duration.ZERO, RotationSchedule.renewalDelay(Duration.ofSeconds(-5), 0.5), "an expired certificate is renewed at once");
    Random random = new Random(42);
    for (int i = 0; i < 1000; i++) {
      Duration d = RotationSchedule.renewalDelay(day, random.nextDouble());
      assertTrue(d.compareTo(Duration.ofMinutes(648)) >= 0 && d.compareTo(Duration.ofMinutes(792)) <= 0, d.toString());
    }
  }

  @Test
  void retriesDoubleUpToAMinute() {
    Duration first = Duration.ofSeconds(1);
    assertEquals(Duration.ofSeconds(1), RotationSchedule.retryDelay(first, 1));
    assertEquals(Duration.ofSeconds(2), RotationSchedule.retryDelay(first, 2));
    assertEquals(Duration.ofSeconds(32), RotationSchedule.retryDelay(first, 6));
    assertEquals(RotationSchedule.MAX_RETRY, RotationSchedule.retryDelay(first, 7));
    assertEquals(RotationSchedule.MAX_RETRY, RotationSchedule.retryDelay(first, 500));
  }

  @Test
  void renewsBeforeExpiryAndRetriesFailures(Vertx vertx, VertxTestContext test) {
    Clock clock = Clock.systemUTC();
    Duration lifetime = Duration.ofMillis(400);
    AtomicInteger calls = new AtomicInteger();
    List<Instant> installedAt = new CopyOnWriteArrayList<>();
    List<Instant> expiries = new CopyOnWriteArrayList<>();
    Instant firstExpiry = clock.instant().plus(lifetime);
    expiries.add(firstExpiry);
    var checkpoint = test.checkpoint(3);
    RotationSchedule[] rotation = new RotationSchedule[1];
    rotation[0] = RotationSchedule.start(vertx, cert(firstExpiry), () -> {
      int n = calls.incrementAndGet();
      // The second and third attempts fail: the schedule must retry, not give up.
      if (n == 2 || n == 3) {
        return Future.failedFuture(new IllegalStateException("control plane away (attempt " + n + ")"));
      }
      return Future.succeededFuture(cert(clock.instant().plus(lifetime)));
    }, cert -> {
      Instant now = clock.instant();
      test.verify(() -> {
        Instant previousExpiry = expiries.get(expiries.size() - 1);
        // Timers never fire early: at least 45% of the previous lifetime had passed.
        assertTrue(now.isAfter(previousExpiry.minus(lifetime.multipliedBy(55).dividedBy(100))),
            "renewed too early: " + now + " for a certificate expiring " + previousExpiry);
      });
      installedAt.add(now);
      expiries.add(cert.notAfter());
      if (installedAt.size() == 3) {
        rotation[0].stop();
        test.verify(() -> {
          assertEquals(5, calls.get(), "3 renewals + 2 failed attempts");
          assertEquals(0, rotation[0].failures());
          assertEquals(cert, rotation[0].current());
        });
      }
      checkpoint.flag();
    }, clock, new Random(7), Duration.ofMillis(20));
  }

  @Test
  void stopCancelsThePendingRenewal(Vertx vertx, VertxTestContext test) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RotationSchedule rotation = RotationSchedule.start(vertx, cert(Instant.now().plusMillis(100)), () -> {
      calls.incrementAndGet();
      return Future.succeededFuture(cert(Instant.now().plusMillis(100)));
    }, cert -> { }, Clock.systemUTC(), new Random(1));
    rotation.stop();
    // Well past the 45-55 ms at which the renewal was due.
    vertx.setTimer(300, id -> test.verify(() -> {
      assertEquals(0, calls.get());
      test.completeNow();
    }));
    assertTrue(test.awaitCompletion(5, TimeUnit.SECONDS));
  }

  private static IssuedCertificate cert(Instant notAfter) {
    return new IssuedCertificate("leaf", "", List.of("root"), Long.toHexString(notAfter.toEpochMilli()), notAfter);
  }
}
