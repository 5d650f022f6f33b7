package io.mizzen.plugins.memquota;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.QuotaArgs;
import io.mizzen.spi.mixer.QuotaCounterStore;
import io.mizzen.spi.mixer.QuotaResult;
import io.mizzen.spi.mixer.QuotaWindow;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.pf4j.Extension;

/**
 * Istio's memquota. Each quota (named after the instance it limits, such as
 * {@code requestcountquota.instance.istio-system}) allows {@code maxAmount} per
 * {@code validDuration}, counted separately for each set of dimension values; the first override
 * whose dimensions all match an instance replaces the limit. Windows are rolling (default, sliding
 * by {@code bucketDuration}, default a tenth of the window) or fixed
 * ({@code rateLimitAlgorithm: FIXED_WINDOW}). Deduplication ids are remembered for
 * {@code minDeduplicationDuration} (default 1s).
 */
@Extension
public class MemquotaAdapter implements MixerAdapter {
  private final LongSupplier nanoClock;

  public MemquotaAdapter() {
    this(System::nanoTime);
  }

  MemquotaAdapter(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** One limit: the quota's own or an override's. */
  record Limit(Map<String, String> dimensions, QuotaWindow window) {}

  /** One configured quota. */
  record QuotaConfig(String name, QuotaWindow window, List<Limit> overrides) {}

  static List<QuotaConfig> read(AdapterParams p) {
    p.only("quotas", "minDeduplicationDuration");
    Duration dedup = p.duration("minDeduplicationDuration", Duration.ofSeconds(1));
    List<QuotaConfig> out = new ArrayList<>();
    for (AdapterParams q : p.objects("quotas")) {
      q.only("name", "maxAmount", "validDuration", "bucketDuration", "rateLimitAlgorithm", "overrides");
      String name = q.string("name", null);
      if (name == null || name.isBlank()) {
        q.error("name", "is required (the instance it limits, such as requestcountquota.instance.istio-system)");
      }
      if (!q.has("maxAmount")) {
        q.error("maxAmount", "is required");
      }
      boolean rolling = "ROLLING_WINDOW".equals(q.choice("rateLimitAlgorithm", "ROLLING_WINDOW", "ROLLING_WINDOW", "FIXED_WINDOW"));
      Duration valid = q.duration("validDuration", Duration.ZERO);
      Duration bucket = q.duration("bucketDuration", valid.dividedBy(10).isZero() ? valid : valid.dividedBy(10));
      QuotaWindow window = window(q, q.integer("maxAmount", 0, 0), valid, bucket, rolling, dedup);
      List<Limit> overrides = new ArrayList<>();
      for (AdapterParams o : q.objects("overrides")) {
        o.only("dimensions", "maxAmount", "validDuration");
        Map<String, String> dims = o.stringMap("dimensions");
        if (dims.isEmpty()) {
          o.error("dimensions", "an override needs at least one dimension");
        }
        if (!o.has("maxAmount")) {
          o.error("maxAmount", "is required");
        }
        Duration oValid = o.duration("validDuration", valid);
        Duration oBucket = oValid.equals(valid) ? bucket : oValid.dividedBy(10).isZero() ? oValid : oValid.dividedBy(10);
        overrides.add(new Limit(dims, window(o, o.integer("maxAmount", 0, 0), oValid, oBucket, rolling, dedup)));
      }
      out.add(new QuotaConfig(name, window, overrides));
    }
    if (out.isEmpty()) {
      p.error("quotas", "at least one quota is required");
    }
    return out;
  }

  private static QuotaWindow window(AdapterParams p, long max, Duration valid, Duration bucket, boolean rolling, Duration dedup) {
    try {
      return new QuotaWindow(max, valid, bucket, rolling, dedup);
    } catch (IllegalArgumentException e) {
      p.error("bucketDuration", e.getMessage());
      return new QuotaWindow(max, valid, valid, false, dedup);
    }
  }

  @Override
  public String name() {
    return "memquota";
  }

  @Override
  public Set<String> templates() {
    return Set.of("quota");
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    AdapterParams p = AdapterParams.of(params);
    read(p);
    return p.errors();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    Map<String, QuotaConfig> quotas = new LinkedHashMap<>();
    read(AdapterParams.of(params)).forEach(q -> quotas.put(q.name(), q));
    QuotaCounterStore shared = context == null ? null : context.lookup(QuotaCounterStore.class);
    QuotaCounterStore store = shared != null ? shared : new InMemoryCounterStore(nanoClock);
    return Future.succeededFuture(new Handler() {
      @Override
      public Future<QuotaResult> quota(Instance instance, QuotaArgs args) {
        QuotaConfig q = quotas.get(instance.name());
        if (q == null) {
          return Future.failedFuture(new IllegalArgumentException("memquota has no quota named " + instance.name()
              + " (it has " + quotas.keySet() + ")"));
        }
        Map<String, Object> dims = instance.fields().get("dimensions") instanceof Map<?, ?> m
            ? new TreeMap<>(stringKeys(m)) : new TreeMap<>();
        QuotaWindow window = q.window();
        for (Limit o : q.overrides()) {
          if (o.dimensions().entrySet().stream().allMatch(e -> e.getValue().equals(String.valueOf(dims.get(e.getKey()))))) {
            window = o.window();
            break;
          }
        }
        QuotaWindow chosen = window;
        String key = q.name() + dims;
        return store.allocate(chosen, key, args.amount(), args.bestEffort(), args.deduplicationId())
            .map(granted -> new QuotaResult(granted, chosen.validDuration()));
      }
    });
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }
}
