package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The upstream of the property tests that mangle what clients send: answers each request it
 * receives whole with {@code fine <body length>} and {@code x-upstream: 1}, counting the requests
 * it answered and those still in progress.
 */
final class CountingUpstream {
  final AtomicInteger completed = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final HttpServer server;

  CountingUpstream(Fixture f) {
    server = f.upstream(req -> {
      inFlight.incrementAndGet();
      req.body().onComplete(body -> {
        if (body.succeeded()) {
          completed.incrementAndGet();
          req.response().putHeader("x-upstream", "1").end("fine " + body.result().length());
        }
        inFlight.decrementAndGet();
      });
    });
  }

  /**
   * Waits (5 s at most) until this upstream has no request in progress and {@code proxy} holds no
   * client connection, so that what the next case counts is the next case's.
   */
  void quiet(MeshProxy proxy) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (inFlight.get() > 0 || proxy.connections() > 0) {
      if (System.nanoTime() > deadline) {
        fail("after 5 s the upstream still has " + inFlight.get() + " request(s) in progress and the proxy "
            + proxy.connections() + " connection(s)");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
