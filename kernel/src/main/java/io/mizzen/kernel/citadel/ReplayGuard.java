package io.mizzen.kernel.citadel;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Refuses a request seen before: each (token id, nonce) is accepted once, and only with a
 * timestamp inside {@code window} of this clock, so a nonce is remembered only until its
 * timestamp leaves the window. Memory is bounded: past {@code capacity} live nonces, requests are refused until old
 * ones age out. Cheap and synchronous; safe from several event loops. Per process: replicas of
 * the control plane do not share nonces (a replay to another replica within the window would
 * still need the token, which is a bearer secret anyway).
 */
final class ReplayGuard {
  private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,128}");
  private final Clock clock;
  private final Duration window;
  private final int capacity;
  private final Map<String, Instant> seen = new HashMap<>();

  ReplayGuard(Clock clock, Duration window, int capacity) {
    this.clock = clock;
    this.window = window;
    this.capacity = capacity;
  }

  /** @throws CsrRefusedException when the nonce or timestamp is malformed, stale or replayed */
  synchronized void admit(String tokenId, String nonce, Instant timestamp) {
    if (nonce == null || !NONCE.matcher(nonce).matches()) {
      throw new CsrRefusedException(CsrRefusal.MALFORMED_REQUEST, "nonce must be 16 to 128 of [A-Za-z0-9_-]");
    }
    if (timestamp == null) {
      throw new CsrRefusedException(CsrRefusal.MALFORMED_REQUEST, "timestamp is missing");
    }
    Instant now = clock.instant();
    Duration skew = Duration.between(timestamp, now).abs();
    if (skew.compareTo(window) > 0) {
      throw new CsrRefusedException(CsrRefusal.STALE_REQUEST, "timestamp " + timestamp + " is " + skew.toSeconds()
          + " s away from the control plane's clock; the window is " + window.toSeconds() + " s");
    }
    String key = tokenId + "/" + nonce;
    Instant forgetAt = seen.get(key);
    if (forgetAt != null && forgetAt.isAfter(now)) {
      throw new CsrRefusedException(CsrRefusal.REPLAYED_REQUEST, "nonce " + nonce + " was already used with token " + tokenId);
    }
    if (seen.size() >= capacity) {
      purge(now);
      if (seen.size() >= capacity) {
        throw new CsrRefusedException(CsrRefusal.REPLAYED_REQUEST, "too many requests inside the replay window; retry later");
      }
    }
    // Past timestamp + window the stale check refuses the request anyway: no need to remember longer.
    seen.put(key, timestamp.plus(window));
  }

  private void purge(Instant now) {
    for (Iterator<Instant> it = seen.values().iterator(); it.hasNext(); ) {
      if (!it.next().isAfter(now)) {
        it.remove();
      }
    }
  }

  synchronized int size() {
    return seen.size();
  }
}
