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
   */
  record Wait(Future<LocalReply> outcome) implements FilterStep {}
}
