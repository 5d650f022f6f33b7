package io.mizzen.proxy.filter;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.spi.filter.LocalReply;
import io.vertx.core.Future;
import java.time.Duration;

/** What a filter asks of the chain when it does not simply let the request on. */
public sealed interface FilterStep {

  /**
   * Answer in the upstream's stead and end the chain.
   *
   * @param reply status, headers and body
   * @param flag the response flag to log, or {@code null}
   * @param detail why, for the access log
   */
  record Reply(LocalReply reply, ResponseFlag flag, String detail) implements FilterStep {}

  /**
   * Hold the request for a while on the event loop, then go on (a fault delay).
   *
   * @param delay how long
   * @param flag the response flag to log, or {@code null}
   */
  record Delay(Duration delay, ResponseFlag flag) implements FilterStep {}

  /**
   * Wait for something outside the event loop, then answer with its reply or go on when it
   * completes with {@code null}. A failed Future answers 500.
   *
   * @param outcome the reply, or {@code null} to go on
   * @param onResume run on the request's event loop just before the chain goes on (not when it
   *     answers), where the filter may change the request head; {@code null} for nothing
   */
  record Wait(Future<LocalReply> outcome, Runnable onResume) implements FilterStep {
    /** Waits for {@code outcome}, with nothing to do on the event loop before going on. */
    public Wait(Future<LocalReply> outcome) {
      this(outcome, null);
    }
  }
}
