package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * See {@link QuotaPrefetch}. Pools and learnt verdicts are guarded one by one; the maps are
 * concurrent; both are forgotten when Mixer answers under another config version.
 */
final class PrefetchingMixer extends ForwardingMixer {
  private static final int PURGE_ABOVE = 4096;

  private final CheckCache cache;
  private final long prefetch;
  private final LongSupplier clock;
  private final Map<String, String[]> shapes = new ConcurrentHashMap<>();
  private final Map<PoolKey, Pool> pools = new ConcurrentHashMap<>();
  private final java.time.Duration maxValidity;
  private final List<String[]> learntShapes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<PoolKey, Learnt> learnt = new ConcurrentHashMap<>();
  private static final int MAX_SHAPES = 16;
  private final Runnable forgetAll = this::forget;

  PrefetchingMixer(Mixer remote, CheckCache cache, long prefetch, java.time.Duration maxValidity, LongSupplier clock) {
    super(remote);
    this.cache = cache;
    this.prefetch = prefetch;
    this.maxValidity = maxValidity;
    this.clock = clock;
  }

  @Override
  public Future<CheckResponse> check(CheckRequest request) {
    if (prefetch == 0) {
      return remote.check(request);
    }
    followGeneration(forgetAll);
    if (request.quotas().isEmpty()) {
      return checkUnnamed(request);
    }
    AttributeBag bag = request.attributes();
    CheckResponse verdict = cache.lookup(bag);
    if (verdict != null && verdict.precondition().isOk()) {
      Map<String, QuotaResult> local = takeAll(bag, request.quotas());
      if (local != null) {
        return Future.succeededFuture(new CheckResponse(verdict.precondition(), verdict.referenced(),
            verdict.requestHeaderOperations(), verdict.responseHeaderOperations(), local));
      }
    }
    Map<String, QuotaArgs> asked = new HashMap<>();
    request.quotas().forEach((q, a) -> asked.put(q, new QuotaArgs(a.amount() + prefetch, a.deduplicationId(), true)));
    return remote.check(new CheckRequest(bag, asked)).map(r -> settle(bag, request.quotas(), r));
  }

  /**
   * A request that names no quota, as a sidecar's are (Mixer charges what its QuotaSpecs say):
   * once Mixer's answer for an agreeing request has shown which quotas it charges, and how much,
   * the request is granted from their pools, or asks Mixer for them by name with
   * {@code prefetch} more. The learnt verdict stands in for the check cache (which keeps no
   * verdict that charged a quota) for as long as Mixer said it was valid, at most
   * {@code maxValidity}.
   */
  private Future<CheckResponse> checkUnnamed(CheckRequest request) {
    AttributeBag bag = request.attributes();
    long now = clock.getAsLong();
    Learnt learnt = learnt(bag, now);
    if (learnt == null) {
      long asked = remote.configGeneration();
      return remote.check(request).map(r -> {
        // As the check cache: nothing answered under another version than the one asked under is kept.
        if (remote.configGeneration() == asked || asked == -1) {
          learn(bag, r, now);
        }
        return r;
      });
    }
    Map<String, QuotaArgs> wanted = new HashMap<>();
    String dedup = bag.get("request.id") instanceof String id ? id : "";
    learnt.amounts.forEach((q, amount) -> wanted.put(q, new QuotaArgs(amount, dedup, false)));
    Map<String, QuotaResult> local = takeAll(bag, wanted);
    if (local != null) {
      return Future.succeededFuture(learnt.with(local));
    }
    Map<String, QuotaArgs> asked = new HashMap<>();
    wanted.forEach((q, a) -> asked.put(q, new QuotaArgs(a.amount() + prefetch, dedup, true)));
    return remote.check(new CheckRequest(bag, asked)).map(r -> pooled(bag, wanted, r));
  }

  /** What an answer to an unnamed request teaches: the quotas it charged, when it granted them all. */
  private void learn(AttributeBag bag, CheckResponse r, long now) {
    CheckResult verdict = r.precondition();
    if (r.quotas().isEmpty() || !verdict.isOk() || verdict.validUseCount() <= 0 || verdict.validDuration() == null
        || verdict.validDuration().isZero()) {
      return;
    }
    Map<String, Long> amounts = new HashMap<>();
    for (Map.Entry<String, QuotaResult> q : r.quotas().entrySet()) {
      if (q.getValue().granted() <= 0) {
        return;
      }
      amounts.put(q.getKey(), q.getValue().granted());
    }
    java.time.Duration valid = maxValidity != null && maxValidity.compareTo(verdict.validDuration()) < 0
        ? maxValidity : verdict.validDuration();
    String[] shape = names(r.referenced());
    if (learntShapes.stream().noneMatch(known -> Arrays.equals(known, shape))) {
      if (learntShapes.size() >= MAX_SHAPES) {
        return;
      }
      learntShapes.add(shape);
    }
    if (learnt.size() > PURGE_ABOVE) {
      learnt.values().removeIf(l -> l.expired(now));
    }
    // Keyed as pools are, under no quota's name.
    learnt.put(new PoolKey("", shape, values(shape, bag)), new Learnt(new CheckResponse(verdict, r.referenced(),
        r.requestHeaderOperations(), r.responseHeaderOperations(), Map.of()), Map.copyOf(amounts),
        now + valid.toNanos(), verdict.validUseCount()));
  }

  private Learnt learnt(AttributeBag bag, long now) {
    for (String[] shape : learntShapes) {
      Learnt l = learnt.get(new PoolKey("", shape, values(shape, bag)));
      if (l != null && l.use(now)) {
        return l;
      }
    }
    return null;
  }

  /** Forgets what was learnt and pooled under another config version than Mixer's now. */
  private void forget() {
    learnt.clear();
    learntShapes.clear();
    pools.clear();
  }

  /** A verdict learnt for requests that name no quota, with the quotas Mixer charged them. */
  private static final class Learnt {
    final CheckResponse verdict;
    final Map<String, Long> amounts;
    final long expiresAt;
    private long usesLeft;

    Learnt(CheckResponse verdict, Map<String, Long> amounts, long expiresAt, long uses) {
      this.verdict = verdict;
      this.amounts = amounts;
      this.expiresAt = expiresAt;
      this.usesLeft = uses;
    }

    synchronized boolean use(long now) {
      if (now - expiresAt >= 0 || usesLeft <= 0) {
        return false;
      }
      usesLeft--;
      return true;
    }

    boolean expired(long now) {
      return now - expiresAt >= 0;
    }

    CheckResponse with(Map<String, QuotaResult> grants) {
      return new CheckResponse(verdict.precondition(), verdict.referenced(), verdict.requestHeaderOperations(),
          verdict.responseHeaderOperations(), grants);
    }
  }

  /** Grants every asked quota from its pool, or none (then nothing is taken). */
  private Map<String, QuotaResult> takeAll(AttributeBag bag, Map<String, QuotaArgs> quotas) {
    long now = clock.getAsLong();
    List<Pool> taken = new ArrayList<>();
    Map<String, QuotaResult> out = new HashMap<>();
    for (Map.Entry<String, QuotaArgs> q : quotas.entrySet()) {
      Pool pool = pool(q.getKey(), bag, false);
      long amount = q.getValue().amount();
      if (pool == null || !pool.take(amount, now)) {
        for (int i = 0; i < taken.size(); i++) {
          taken.get(i).giveBack(out.get(quotaOf(taken.get(i))).granted());
        }
        return null;
      }
      taken.add(pool);
      out.put(q.getKey(), new QuotaResult(amount, pool.validDuration()));
    }
    return out;
  }

  private static String quotaOf(Pool p) {
    return p.quota;
  }

  private CheckResponse settle(AttributeBag bag, Map<String, QuotaArgs> wanted, CheckResponse r) {
    // The verdict is cached without its grants, so a later request may pair it with a pool.
    cache.store(bag, new CheckResponse(r.precondition(), r.referenced(), r.requestHeaderOperations(),
        r.responseHeaderOperations(), Map.of()));
    return pooled(bag, wanted, r);
  }

  /** Takes what each wanted quota needs from Mixer's grant and pools the rest. */
  private CheckResponse pooled(AttributeBag bag, Map<String, QuotaArgs> wanted, CheckResponse r) {
    long now = clock.getAsLong();
    Map<String, QuotaResult> out = new HashMap<>();
    for (Map.Entry<String, QuotaArgs> q : wanted.entrySet()) {
      QuotaResult grant = r.quotas().get(q.getKey());
      QuotaArgs args = q.getValue();
      if (grant == null) {
        continue;
      }
      long take = args.bestEffort() ? Math.min(grant.granted(), args.amount())
          : grant.granted() >= args.amount() ? args.amount() : 0;
      long left = grant.granted() - take;
      if (left > 0 && grant.validDuration() != null && !grant.validDuration().isZero()) {
        shapes.put(q.getKey(), names(r.referenced()));
        pool(q.getKey(), bag, true).fill(left, now + grant.validDuration().toNanos(), grant.validDuration());
      }
      out.put(q.getKey(), new QuotaResult(take, grant.validDuration()));
    }
    return new CheckResponse(r.precondition(), r.referenced(), r.requestHeaderOperations(), r.responseHeaderOperations(), out);
  }

  private Pool pool(String quota, AttributeBag bag, boolean create) {
    String[] shape = shapes.get(quota);
    if (shape == null) {
      return null;
    }
    PoolKey key = new PoolKey(quota, shape, values(shape, bag));
    if (!create) {
      return pools.get(key);
    }
    if (pools.size() > PURGE_ABOVE) {
      long now = clock.getAsLong();
      pools.values().removeIf(p -> p.expired(now));
    }
    return pools.computeIfAbsent(key, k -> new Pool(quota));
  }

  /** The values of {@code bag} at {@code shape}'s attributes (a map attribute's key after a NUL). */
  private static Object[] values(String[] shape, AttributeBag bag) {
    Object[] values = new Object[shape.length];
    for (int i = 0; i < shape.length; i++) {
      int bracket = shape[i].indexOf('\u0000');
      Object v = bag.get(bracket < 0 ? shape[i] : shape[i].substring(0, bracket));
      values[i] = bracket < 0 ? v : v instanceof Map<?, ?> m ? m.get(shape[i].substring(bracket + 1)) : null;
    }
    return values;
  }

  private static String[] names(ReferencedAttributes r) {
    List<String> names = new ArrayList<>(r.attributes().stream().sorted().toList());
    r.mapKeys().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> e.getValue().stream().sorted().forEach(k -> names.add(e.getKey() + '\u0000' + k)));
    return names.toArray(String[]::new);
  }

  private record PoolKey(String quota, String[] shape, Object[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PoolKey k && k.quota.equals(quota) && Arrays.equals(k.shape, shape) && Arrays.equals(k.values, values);
    }

    @Override
    public int hashCode() {
      return quota.hashCode() * 31 + Arrays.hashCode(values);
    }
  }

  /** Units granted by Mixer and not used yet. */
  private static final class Pool {
    final String quota;
    private long available;
    private long expiresAt;
    private java.time.Duration validDuration = java.time.Duration.ZERO;

    Pool(String quota) {
      this.quota = quota;
    }

    synchronized boolean take(long amount, long now) {
      if (now - expiresAt >= 0 || available < amount) {
        return false;
      }
      available -= amount;
      return true;
    }

    synchronized void giveBack(long amount) {
      available += amount;
    }

    synchronized void fill(long amount, long until, java.time.Duration valid) {
      // Units from an older grant die with it: only the newest grant's lifetime is kept.
      available = amount;
      expiresAt = until;
      validDuration = valid;
    }

    synchronized java.time.Duration validDuration() {
      return validDuration;
    }

    synchronized boolean expired(long now) {
      return now - expiresAt >= 0;
    }
  }
}
