package io.mizzen.plugins.denier;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
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
import org.pf4j.Extension;

/**
 * Istio's denier: answers every checknothing, listentry or quota instance with the configured
 * {@code status} (code and message); quotas are granted nothing. Params:
 * {@code status: {code, message}}, {@code validDuration} (default 5s), {@code validUseCount}
 * (default 1000).
 */
@Extension
public class DenierAdapter implements MixerAdapter {
  static final Duration DEFAULT_VALID_DURATION = Duration.ofSeconds(5);
  static final long DEFAULT_VALID_USE_COUNT = 1000;

  /** Validated params. */
  record Params(int code, String message, Duration validDuration, int validUseCount) {
    static Params read(AdapterParams p) {
      p.only("status", "validDuration", "validUseCount");
      AdapterParams status = p.object("status").only("code", "message", "details");
      long code = status.integer("code", CheckResult.PERMISSION_DENIED, 0);
      if (code > 16) {
        status.error("code", "must be a google.rpc code between 0 and 16, not " + code);
      }
      return new Params((int) code, status.string("message", ""), p.duration("validDuration", DEFAULT_VALID_DURATION),
          (int) p.integer("validUseCount", DEFAULT_VALID_USE_COUNT, 0, Integer.MAX_VALUE));
    }
  }

  @Override
  public String name() {
    return "denier";
  }

  @Override
  public Set<String> templates() {
    return Set.of("checknothing", "listentry", "quota");
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
    CheckResult verdict = new CheckResult(p.code(), p.message(), p.validDuration(), p.validUseCount());
    return Future.succeededFuture(new Handler() {
      @Override
      public Future<CheckResult> check(Instance instance) {
        return Future.succeededFuture(verdict);
      }

      @Override
      public Future<QuotaResult> quota(Instance instance, QuotaArgs args) {
        return Future.succeededFuture(new QuotaResult(0, p.validDuration()));
      }
    });
  }
}
