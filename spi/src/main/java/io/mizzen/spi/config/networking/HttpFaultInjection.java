package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Oneof;
import java.time.Duration;

/**
 * Faults injected before forwarding.
 *
 * @param delay delays a share of requests, or {@code null}
 * @param abort aborts a share of requests, or {@code null}
 */
public record HttpFaultInjection(Delay delay, Abort abort) {

  /**
   * A fixed delay.
   *
   * @param fixedDelay how long to wait
   * @param exponentialDelay not supported by Istio either; read so it can be refused clearly
   * @param percent the integer share 0-100 (Istio's deprecated form)
   * @param percentage the share 0.0-100.0
   */
  @Oneof(value = {"fixedDelay", "exponentialDelay"}, required = true)
  public record Delay(Duration fixedDelay, Duration exponentialDelay, Integer percent, Percent percentage) {
    /** The share in percent: {@code percentage} if set, else {@code percent}, else 100. */
    public double effectivePercent() {
      return HttpFaultInjection.effective(percent, percentage);
    }
  }

  /**
   * An abort with a status.
   *
   * @param httpStatus the status to answer with
   * @param grpcStatus not supported in Istio 1.4; read so it can be refused clearly
   * @param http2Error not supported in Istio 1.4; read so it can be refused clearly
   * @param percent the integer share 0-100 (Istio's deprecated form)
   * @param percentage the share 0.0-100.0
   */
  @Oneof(value = {"httpStatus", "grpcStatus", "http2Error"}, required = true)
  public record Abort(Integer httpStatus, String grpcStatus, String http2Error, Integer percent, Percent percentage) {
    /** The share in percent: {@code percentage} if set, else {@code percent}, else 100. */
    public double effectivePercent() {
      return HttpFaultInjection.effective(percent, percentage);
    }
  }

  private static double effective(Integer percent, Percent percentage) {
    if (percentage != null && percentage.value() != null) {
      return percentage.value();
    }
    return percent == null ? 100d : percent;
  }
}
