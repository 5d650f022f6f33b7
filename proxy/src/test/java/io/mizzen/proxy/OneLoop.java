package io.mizzen.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Runs a test's HTTP client exchange on one Vert.x event loop. A chain built on the test thread
 * can ask for a response's body after Vert.x has already delivered its end, and Vert.x 5.0.7 then
 * never completes the body (eclipse-vertx/vert.x#5904 and #6038, fixed after 5.0.7): the request
 * hangs until the test's own timeout. Built and run on the loop, every step runs as it completes.
 * Test only.
 */
public final class OneLoop {
  private OneLoop() {}

  /** {@code exchange} (request, send, body) started on an event loop of {@code vertx}. */
  public static <T> Future<T> run(Vertx vertx, Supplier<Future<T>> exchange) {
    Promise<T> done = Promise.promise();
    vertx.runOnContext(v -> {
      try {
        exchange.get().onComplete(done);
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }
}
