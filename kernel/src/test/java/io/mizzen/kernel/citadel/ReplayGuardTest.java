package io.mizzen.kernel.citadel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
  private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ReplayGuard guard = new ReplayGuard(clock, Duration.ofMinutes(5), 2);

  @Test
  void aNonceIsUsableOncePerTokenAndForgottenWhenItsWindowCloses() {
    guard.admit("t1", "nonce-aaaaaaaaaaaa", clock.instant());
    assertEquals(CsrRefusal.REPLAYED_REQUEST,
        assertThrows(CsrRefusedException.class, () -> guard.admit("t1", "nonce-aaaaaaaaaaaa", clock.instant())).reason());
    // Another token may use the same nonce: nonces are per credential.
    guard.admit("t2", "nonce-aaaaaaaaaaaa", clock.instant());
    assertEquals(2, guard.size());

    // Memory is bounded: a third live nonce is refused, not remembered.
    CsrRefusedException full = assertThrows(CsrRefusedException.class, () -> guard.admit("t1", "nonce-bbbbbbbbbbbb", clock.instant()));
    assertEquals(CsrRefusal.REPLAYED_REQUEST, full.reason());
    assertEquals(2, guard.size());

    // Once the old timestamps leave the window they are purged, and replaying them is stale anyway.
    Instant old = clock.instant();
    clock.advance(Duration.ofMinutes(6));
    guard.admit("t1", "nonce-cccccccccccc", clock.instant());
    assertEquals(1, guard.size());
    assertEquals(CsrRefusal.STALE_REQUEST,
        assertThrows(CsrRefusedException.class, () -> guard.admit("t1", "nonce-aaaaaaaaaaaa", old)).reason());
  }

  @Test
  void malformedNoncesAndTimestampsAreNamed() {
    assertEquals(CsrRefusal.MALFORMED_REQUEST, assertThrows(CsrRefusedException.class, () -> guard.admit("t", "short", clock.instant())).reason());
    assertEquals(CsrRefusal.MALFORMED_REQUEST, assertThrows(CsrRefusedException.class,
        () -> guard.admit("t", "nonce with spaces!!", clock.instant())).reason());
    assertEquals(CsrRefusal.MALFORMED_REQUEST, assertThrows(CsrRefusedException.class, () -> guard.admit("t", "nonce-dddddddddddd", null)).reason());
  }
}
