package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
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
  /** Requests whose head reached the handler, answered or not. */
  private final AtomicInteger started = new AtomicInteger();
  final HttpServer server;
  private final Fixture f;

  CountingUpstream(Fixture f) {
    this.f = f;
    server = f.upstream(req -> {
      started.incrementAndGet();
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
   * client connection, so that what the next case counts is the next case's. That alone is not
   * enough: a request the proxy wrote just before its client went away (and it closed that
   * upstream connection) may still lie unread in this upstream's socket when both counts are 0,
   * and would be counted by the next case (seen once in ~12,000 HTTP/2 cases). So every event
   * loop of the upstream's and the proxy's Vert.x runs a task, twice (a loop reads what is ready
   * before it runs the tasks queued in the meantime), and the wait starts over if a request
   * arrived meanwhile.
   */
  void quiet(MeshProxy proxy) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      while (inFlight.get() > 0 || proxy.connections() > 0) {
        if (System.nanoTime() > deadline) {
          fail("after 5 s the upstream still has " + inFlight.get() + " request(s) in progress and the proxy "
              + proxy.connections() + " connection(s)");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      int seen = started.get();
      for (int round = 0; round < 2; round++) {
        everyLoopRan(f.vertx);
        everyLoopRan(f.proxyVertx);
      }
      if (started.get() == seen && inFlight.get() == 0 && proxy.connections() == 0) {
        return;
      }
    }
  }

  private static void everyLoopRan(io.vertx.core.Vertx vertx) {
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      try {
        loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        fail("an event loop did not run a task within 5 s: " + e);
      }
    }
  }
}
