package io.mizzen.kernel.agent;

import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.SnapshotFeed;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Function;

/**
 * The {@link SnapshotFeed} the agent publishes. It keeps the last snapshot the proxy accepted (or,
 * before a proxy subscribes, the last one received), so a proxy that subscribes late, or while
 * the control plane is away, still gets it at once.
 */
final class AgentFeed implements SnapshotFeed {
  private static final System.Logger LOG = System.getLogger(AgentFeed.class.getName());
  private final Context context;
  private volatile ProxySnapshot current;
  private Function<ProxySnapshot, Future<Void>> consumer;

  AgentFeed(Context context) {
    this.context = context;
  }

  /** The snapshot in force, or null before the first. */
  ProxySnapshot current() {
    return current;
  }

  @Override
  public void subscribe(Function<ProxySnapshot, Future<Void>> newConsumer) {
    context.runOnContext(v -> {
      consumer = newConsumer;
      if (current != null) {
        // A late subscriber gets what the agent holds; its refusal leaves nothing else to offer.
        apply(newConsumer, current).onFailure(e -> LOG.log(System.Logger.Level.WARNING,
            "the proxy refused the held snapshot " + current.version() + ": " + e.getMessage()));
      }
    });
  }

  /**
   * Offers a new snapshot.
   *
   * @return a Future completed once it is in force (immediately when no proxy subscribed), or
   *     failed with the proxy's reason for rejecting it; the previous one then stays in force
   */
  Future<Void> offer(ProxySnapshot snapshot) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      if (consumer == null) {
        current = snapshot;
        done.complete();
        return;
      }
      apply(consumer, snapshot).onSuccess(x -> current = snapshot).onComplete(done);
    });
    return done.future();
  }

  private static Future<Void> apply(Function<ProxySnapshot, Future<Void>> consumer, ProxySnapshot s) {
    try {
      Future<Void> applied = consumer.apply(s);
      return applied == null ? Future.failedFuture(new IllegalStateException("the proxy's consumer returned no Future")) : applied;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
