package io.mizzen.kernel.mixer.runtime;

import java.util.concurrent.atomic.LongAdder;

/** Per-handler counters: calls, failures, timeouts. Safe to bump from any thread. */
final class HandlerStats {
  final LongAdder calls = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder timeouts = new LongAdder();

  HandlerCounts snapshot(String handler) {
    return new HandlerCounts(handler, calls.sum(), errors.sum(), timeouts.sum());
  }
}
