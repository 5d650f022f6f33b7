package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * What a workload's proxy does when Mixer itself cannot be reached or does not answer in time:
 * fail open (the request goes through, as Istio's {@code networkFailPolicy: FAIL_OPEN}) or fail
 * closed (503 UNAVAILABLE, body
 * {@code UNAVAILABLE:mixer unreachable: …}). Neither answer is cached (validUseCount 0), so the
 * next request tries Mixer again. Reports that cannot be delivered are failed to the caller (the
 * batcher counts and drops them), never retried forever.
 */
public interface UnreachableMixerPolicy {

  /**
   * {@code remote} guarded by the policy.
   *
   * @param failOpen whether a request is let through when Mixer cannot answer
   * @param checkTimeout how long a check may take before Mixer counts as unreachable
   */
  static Mixer guard(Vertx vertx, Mixer remote, boolean failOpen, Duration checkTimeout) {
    if (checkTimeout.isNegative() || checkTimeout.isZero()) {
      throw new IllegalArgumentException("checkTimeout must be positive, not " + checkTimeout);
    }
    return new ForwardingMixer(remote) {
      @Override
      public Future<CheckResponse> check(CheckRequest request) {
        return timeout(vertx, remote.check(request), checkTimeout).recover(cause -> {
          String why = "mixer unreachable: " + (cause instanceof TimeoutException ? "no answer within " + checkTimeout.toMillis() + " ms"
              : cause.getMessage());
          CheckResult verdict = failOpen ? new CheckResult(CheckResult.OK, why, Duration.ZERO, 0)
              : CheckResult.denied(CheckResult.UNAVAILABLE, why, Duration.ZERO, 0);
          Map<String, QuotaResult> quotas = new java.util.HashMap<>();
          request.quotas().forEach((q, a) -> quotas.put(q, new QuotaResult(failOpen ? a.amount() : 0, Duration.ZERO)));
          return Future.succeededFuture(new CheckResponse(verdict, ReferencedAttributes.none(), List.of(), List.of(), quotas));
        });
      }
    };
  }

  private static <T> Future<T> timeout(Vertx vertx, Future<T> call, Duration limit) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    long timer = vertx.setTimer(limit.toMillis(), t -> p.tryFail(new TimeoutException()));
    call.onComplete(r -> {
      vertx.cancelTimer(timer);
      if (r.succeeded()) {
        p.tryComplete(r.result());
      } else {
        p.tryFail(r.cause());
      }
    });
    return p.future();
  }
}
