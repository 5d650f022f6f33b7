package io.mizzen.proxy.route;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * A route's {@code retries}: how many more tries, how long each may take, and on what.
 *
 * @param attempts retries after the first try (Istio's {@code attempts})
 * @param perTryTimeout each try's timeout, or {@code null} for the route timeout only
 * @param conditions bits of {@link #ON_5XX} and the others
 * @param statusCodes extra retriable status codes ({@code retryOn: "503,429"})
 */
public record RetryPolicy(int attempts, Duration perTryTimeout, int conditions, Set<Integer> statusCodes) {
  public static final int ON_5XX = 1;
  public static final int ON_GATEWAY_ERROR = 2;
  public static final int ON_CONNECT_FAILURE = 4;
  public static final int ON_RESET = 8;
  public static final int ON_RETRIABLE_4XX = 16;
  public static final int ON_REFUSED_STREAM = 32;
  /** gRPC's conditions: the {@code grpc-status} of a trailers-only answer, as Envoy reads it. */
  public static final int ON_GRPC_CANCELLED = 64;
  public static final int ON_GRPC_DEADLINE_EXCEEDED = 128;
  public static final int ON_GRPC_INTERNAL = 256;
  public static final int ON_GRPC_RESOURCE_EXHAUSTED = 512;
  public static final int ON_GRPC_UNAVAILABLE = 1024;
  private static final int ON_GRPC = ON_GRPC_CANCELLED | ON_GRPC_DEADLINE_EXCEEDED | ON_GRPC_INTERNAL
      | ON_GRPC_RESOURCE_EXHAUSTED | ON_GRPC_UNAVAILABLE;

  /** Istio's default when a route sets none: 2 retries on connect failure, refused stream and 503. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(2, null, ON_CONNECT_FAILURE | ON_REFUSED_STREAM | ON_RESET, Set.of(503));

  /** No retries at all ({@code attempts: 0}). */
  public static final RetryPolicy NONE = new RetryPolicy(0, null, 0, Set.of());

  public RetryPolicy {
    if (attempts < 0) {
      throw new IllegalArgumentException("retries.attempts must be >= 0, was " + attempts);
    }
    statusCodes = Set.copyOf(statusCodes);
  }

  /**
   * Parses Istio's {@code retryOn} list.
   *
   * @throws IllegalArgumentException naming the unknown condition
   */
  public static RetryPolicy of(int attempts, Duration perTryTimeout, String retryOn) {
    if (retryOn == null || retryOn.isBlank()) {
      return new RetryPolicy(attempts, perTryTimeout, DEFAULT.conditions, DEFAULT.statusCodes);
    }
    int bits = 0;
    java.util.Set<Integer> codes = new java.util.HashSet<>();
    for (String raw : retryOn.split(",")) {
      String c = raw.trim().toLowerCase(Locale.ROOT);
      switch (c) {
        case "5xx": bits |= ON_5XX; break;
        case "gateway-error": bits |= ON_GATEWAY_ERROR; break;
        case "connect-failure": bits |= ON_CONNECT_FAILURE; break;
        case "reset": bits |= ON_RESET; break;
        case "retriable-4xx": bits |= ON_RETRIABLE_4XX; break;
        case "refused-stream": bits |= ON_REFUSED_STREAM; break;
        case "cancelled": bits |= ON_GRPC_CANCELLED; break;
        case "deadline-exceeded": bits |= ON_GRPC_DEADLINE_EXCEEDED; break;
        case "internal": bits |= ON_GRPC_INTERNAL; break;
        case "resource-exhausted": bits |= ON_GRPC_RESOURCE_EXHAUSTED; break;
        case "unavailable": bits |= ON_GRPC_UNAVAILABLE; break;
        case "retriable-status-codes": case "retriable-headers": case "envoy-ratelimited":
          break;
        default:
          if (c.matches("[1-5][0-9][0-9]")) {
            codes.add(Integer.parseInt(c));
          } else {
            throw new IllegalArgumentException("retries.retryOn: unknown condition '" + raw.trim() + "'");
          }
      }
    }
    return new RetryPolicy(attempts, perTryTimeout, bits, codes);
  }

  /** Whether an upstream answer with this status should be retried. */
  public boolean retriesStatus(int status) {
    if (statusCodes.contains(status)) {
      return true;
    }
    if ((conditions & ON_5XX) != 0 && status >= 500) {
      return true;
    }
    if ((conditions & ON_GATEWAY_ERROR) != 0 && (status == 502 || status == 503 || status == 504)) {
      return true;
    }
    return (conditions & ON_RETRIABLE_4XX) != 0 && status == 409;
  }

  /** Whether any gRPC condition is set: only then is a response's {@code grpc-status} looked at. */
  public boolean onGrpcStatus() {
    return (conditions & ON_GRPC) != 0;
  }

  /**
   * Whether an answer with this {@code grpc-status} (from the response headers: gRPC's
   * trailers-only answer, as Envoy reads it) should be retried; {@code null} or garbage is not.
   */
  public boolean retriesGrpcStatus(String grpcStatus) {
    if (grpcStatus == null) {
      return false;
    }
    int bit = switch (grpcStatus.trim()) {
      case "1" -> ON_GRPC_CANCELLED;
      case "4" -> ON_GRPC_DEADLINE_EXCEEDED;
      case "8" -> ON_GRPC_RESOURCE_EXHAUSTED;
      case "13" -> ON_GRPC_INTERNAL;
      case "14" -> ON_GRPC_UNAVAILABLE;
      default -> 0;
    };
    return (conditions & bit) != 0;
  }

  /** Whether a failed connect is retried. */
  public boolean retriesConnectFailure() {
    return (conditions & (ON_CONNECT_FAILURE | ON_5XX | ON_GATEWAY_ERROR)) != 0;
  }

  /** Whether a reset before the response (connection closed, per-try timeout) is retried. */
  public boolean retriesReset() {
    return (conditions & (ON_RESET | ON_5XX | ON_GATEWAY_ERROR | ON_REFUSED_STREAM)) != 0;
  }
}
