package io.mizzen.kernel.mixer;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.QuotaArgs;
import io.mizzen.spi.mixer.QuotaResult;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for an adapter that lives outside this module (prometheus, stdio): accepts any
 * params, records what it receives, answers OK. Tests read {@link #received}.
 */
public final class RecordingAdapter implements MixerAdapter {
  private final String name;
  private final Set<String> templates;
  public final List<Instance> received = new CopyOnWriteArrayList<>();

  public RecordingAdapter(String name, Set<String> templates) {
    this.name = name;
    this.templates = templates;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<String> templates() {
    return templates;
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    return List.of();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    return Future.succeededFuture(new Handler() {
      @Override
      public Future<CheckResult> check(Instance instance) {
        received.add(instance);
        return Future.succeededFuture(CheckResult.ok(Duration.ofSeconds(10), 100));
      }

      @Override
      public Future<QuotaResult> quota(Instance instance, QuotaArgs args) {
        received.add(instance);
        return Future.succeededFuture(new QuotaResult(args.amount(), Duration.ofSeconds(1)));
      }

      @Override
      public Future<Void> report(List<Instance> instances) {
        received.addAll(instances);
        return Future.succeededFuture();
      }
    });
  }
}
