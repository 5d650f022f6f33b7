package io.mizzen.proxy.authz;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The key sets a proxy fetched from {@code jwksUri}s, kept across snapshots: a snapshot (or the
 * refresh timer of {@link InboundEnforcement}) uses the keys fetched less than {@link #REFRESH}
 * ago without asking again (Istio's control plane refreshes them every 20 minutes too), and when
 * a fetch fails keeps using the keys it had for
 * that URI, saying so, rather than rejecting the whole snapshot (its routes and the rest) because
 * a key server is down for a moment. A URI never fetched still fails the snapshot, naming it.
 */
final class JwksCache {
  /** How long fetched keys are used before the next snapshot fetches them again. */
  static final Duration REFRESH = Duration.ofMinutes(20);
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.authz");

  private record Entry(Jwks keys, Instant fetched) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration refresh;

  JwksCache(Clock clock) {
    this(clock, REFRESH);
  }

  JwksCache(Clock clock, Duration refresh) {
    this.clock = clock;
    this.refresh = refresh;
  }

  /**
   * The keys of {@code uri}: kept ones while fresh, else {@code fetch}'s, else (the fetch failed)
   * kept ones however old.
   */
  Future<Jwks> keys(String uri, Supplier<Future<Jwks>> fetch) {
    Instant now = clock.instant();
    Entry kept = entries.get(uri);
    if (kept != null && now.isBefore(kept.fetched().plus(refresh))) {
      return Future.succeededFuture(kept.keys());
    }
    return fetch.get().map(keys -> {
      entries.put(uri, new Entry(keys, now));
      return keys;
    }).recover(e -> {
      if (kept == null) {
        return Future.failedFuture(e);
      }
      LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; keeping the keys fetched at " + kept.fetched());
      return Future.succeededFuture(kept.keys());
    });
  }
}
