package io.mizzen.kernel.mixer.runtime;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/** Runs one adapter call under a timeout and counts its outcome. */
final class Deadline {
  private final Vertx vertx;
  private final long timeoutMillis;

  Deadline(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * The call's result, or a failure after the timeout. A call that throws instead of returning a
   * failed Future is treated as failed: one broken adapter must not break the dispatch loop.
   */
  <T> Future<T> call(String handler, HandlerStats stats, Supplier<Future<T>> call) {
    stats.calls.increment();
    Future<T> inner;
    try {
      inner = call.get();
      if (inner == null) {
        inner = Future.failedFuture(new IllegalStateException("handler " + handler + " returned no Future"));
      }
    } catch (RuntimeException e) {
      inner = Future.failedFuture(e);
    }
    if (inner.isComplete()) {
      // Most adapters answer at once (denier, listchecker, memquota): no timer to arm and cancel.
      if (inner.failed()) {
        stats.errors.increment();
      }
      return inner;
    }
    Promise<T> promise = Promise.promise();
    // Counted before completing, so whoever the completion wakes sees the counts.
    AtomicBoolean settled = new AtomicBoolean();
    long timer = vertx.setTimer(timeoutMillis, id -> {
      if (settled.compareAndSet(false, true)) {
        stats.timeouts.increment();
        stats.errors.increment();
        promise.fail(new TimeoutException("handler " + handler + " did not answer within " + timeoutMillis + " ms"));
      }
    });
    inner.onComplete(ar -> {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        promise.complete(ar.result());
      } else {
        stats.errors.increment();
        promise.fail(ar.cause());
      }
    });
    return promise.future();
  }
}
