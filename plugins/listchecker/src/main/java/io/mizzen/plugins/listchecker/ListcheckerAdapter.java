package io.mizzen.plugins.listchecker;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Istio's listchecker. A whitelist answers NOT_FOUND ({@code "<value> is not whitelisted"}) for
 * a value it lacks; a blacklist answers PERMISSION_DENIED ({@code "<value> is blacklisted"}) for
 * one it holds. Params: {@code overrides} (static entries), {@code providerUrl} (entries fetched
 * every {@code refreshInterval}, default 60s, and considered stale after {@code ttl}, default
 * 300s), {@code entryType} (STRINGS, CASE_INSENSITIVE_STRINGS, IP_ADDRESSES with CIDR, REGEX),
 * {@code blacklist}, {@code cachingInterval} and {@code cachingUseCount} (how long the proxy may
 * cache an answer).
 */
@Extension
public class ListcheckerAdapter implements MixerAdapter {

  /** Validated params. */
  record Params(String providerUrl, Duration refreshInterval, Duration ttl, Duration cachingInterval,
                int cachingUseCount, List<String> overrides, ListEntries.EntryType entryType, boolean blacklist) {
    static Params read(AdapterParams p) {
      p.only("providerUrl", "refreshInterval", "ttl", "cachingInterval", "cachingUseCount", "overrides", "entryType", "blacklist");
      String url = p.string("providerUrl", null);
      if (url != null) {
        try {
          URI u = new URI(url);
          if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            p.error("providerUrl", "must be an http or https URL, not " + url);
          }
        } catch (java.net.URISyntaxException e) {
          p.error("providerUrl", "is not a URL: " + e.getMessage());
        }
      }
      Duration refresh = p.duration("refreshInterval", Duration.ofSeconds(60));
      if (url != null && refresh.isZero()) {
        p.error("refreshInterval", "must be positive when providerUrl is set");
      }
      String type = p.choice("entryType", "STRINGS", "STRINGS", "CASE_INSENSITIVE_STRINGS", "IP_ADDRESSES", "REGEX");
      List<String> overrides = p.strings("overrides");
      ListEntries.EntryType entryType = ListEntries.EntryType.valueOf(type);
      try {
        ListEntries.of(entryType, overrides);
      } catch (IllegalArgumentException e) {
        p.error("overrides", e.getMessage());
      }
      return new Params(url, refresh, p.duration("ttl", Duration.ofSeconds(300)),
          p.duration("cachingInterval", Duration.ofSeconds(300)), (int) p.integer("cachingUseCount", 10_000, 0, Integer.MAX_VALUE),
          overrides, entryType, p.bool("blacklist", false));
    }
  }

  @Override
  public String name() {
    return "listchecker";
  }

  @Override
  public Set<String> templates() {
    return Set.of("listentry");
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    AdapterParams p = AdapterParams.of(params);
    Params.read(p);
    return p.errors();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    Params p = Params.read(AdapterParams.of(params));
    ListHandler handler = new ListHandler(p, context.vertx());
    return handler.start().map(v -> handler);
  }

  /** Checks against the current list; the provider refresh swaps it. */
  static final class ListHandler implements Handler {
    private final Params params;
    private final io.vertx.core.Vertx vertx;
    private final ListProvider provider;
    private volatile ListEntries entries;
    private volatile long fetchedAtNanos;
    private long timer = -1;

    ListHandler(Params params, io.vertx.core.Vertx vertx) {
      this.params = params;
      this.vertx = vertx;
      this.provider = params.providerUrl() == null ? null : new ListProvider(vertx, params.providerUrl());
      this.entries = ListEntries.of(params.entryType(), params.overrides());
    }

    /** Fetches the provider's list once (failing the build if that fails), then on a schedule. */
    Future<Void> start() {
      if (provider == null) {
        return Future.succeededFuture();
      }
      return refresh().onSuccess(v -> timer = vertx.setPeriodic(params.refreshInterval().toMillis(), id -> refresh()));
    }

    private Future<Void> refresh() {
      // A failed refresh keeps the last good list until its ttl runs out; check() then reports it.
      return provider.fetch().map(fetched -> {
        List<String> all = new ArrayList<>(params.overrides());
        all.addAll(fetched);
        entries = ListEntries.of(params.entryType(), all);
        fetchedAtNanos = System.nanoTime();
        return (Void) null;
      });
    }

    @Override
    public Future<CheckResult> check(Instance instance) {
      Object value = instance.fields().get("value");
      if (value == null) {
        return Future.failedFuture(new IllegalArgumentException("instance " + instance.name() + " has no value"));
      }
      if (provider != null && System.nanoTime() - fetchedAtNanos > params.ttl().toNanos()) {
        return Future.succeededFuture(CheckResult.denied(CheckResult.UNAVAILABLE, "list from " + params.providerUrl()
            + " has not been refreshed within its ttl of " + params.ttl(), Duration.ZERO, 0));
      }
      boolean found = entries.contains(value);
      String text = ListEntries.text(value);
      CheckResult r;
      if (params.blacklist()) {
        r = found ? CheckResult.denied(CheckResult.PERMISSION_DENIED, text + " is blacklisted", params.cachingInterval(), params.cachingUseCount())
            : CheckResult.ok(params.cachingInterval(), params.cachingUseCount());
      } else {
        r = found ? CheckResult.ok(params.cachingInterval(), params.cachingUseCount())
            : CheckResult.denied(CheckResult.NOT_FOUND, text + " is not whitelisted", params.cachingInterval(), params.cachingUseCount());
      }
      return Future.succeededFuture(r);
    }

    @Override
    public Future<Void> close() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      return provider == null ? Future.succeededFuture() : provider.close();
    }
  }
}
