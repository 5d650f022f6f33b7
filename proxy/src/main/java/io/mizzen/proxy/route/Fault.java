package io.mizzen.proxy.route;

import java.time.Duration;

/**
 * A route's {@code fault}: delay and/or abort, each applied to a share of requests.
 *
 * @param delay the injected delay, or {@code null}
 * @param delayPercent share of requests delayed, 0–100
 * @param abortStatus the injected status, 0 for none
 * @param abortPercent share of requests aborted, 0–100
 */
public record Fault(Duration delay, double delayPercent, int abortStatus, double abortPercent) {
  public Fault {
    if (delayPercent < 0 || delayPercent > 100 || abortPercent < 0 || abortPercent > 100) {
      throw new IllegalArgumentException("fault percentage must be within 0-100");
    }
  }
}
