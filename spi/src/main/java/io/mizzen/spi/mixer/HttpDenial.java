package io.mizzen.spi.mixer;

/**
 * How a non-OK Mixer status reaches the client over HTTP, as Istio's proxy maps it:
 * PERMISSION_DENIED 403, UNAUTHENTICATED 401, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, …, with
 * the body {@code CODE:message}.
 *
 * @param httpStatus the HTTP status code
 * @param body {@code CODE:message}, such as {@code PERMISSION_DENIED:denyall.istio-system:Not allowed}
 */
public record HttpDenial(int httpStatus, String body) {

  /** The denial for {@code result}; for an OK result, status 200 and body {@code OK:}. */
  public static HttpDenial of(CheckResult result) {
    return new HttpDenial(httpStatus(result.statusCode()),
        codeName(result.statusCode()) + ":" + (result.message() == null ? "" : result.message()));
  }

  /** The HTTP status for a google.rpc code; unknown codes are 500. */
  public static int httpStatus(int rpcCode) {
    return switch (rpcCode) {
      case 0 -> 200;
      case 1 -> 499;
      case 3, 9, 11 -> 400;
      case 4 -> 504;
      case 5 -> 404;
      case 6, 10 -> 409;
      case 7 -> 403;
      case 8 -> 429;
      case 12 -> 501;
      case 14 -> 503;
      case 16 -> 401;
      default -> 500;
    };
  }

  /** The google.rpc name of a code, such as {@code PERMISSION_DENIED}. */
  public static String codeName(int rpcCode) {
    return switch (rpcCode) {
      case 0 -> "OK";
      case 1 -> "CANCELLED";
      case 2 -> "UNKNOWN";
      case 3 -> "INVALID_ARGUMENT";
      case 4 -> "DEADLINE_EXCEEDED";
      case 5 -> "NOT_FOUND";
      case 6 -> "ALREADY_EXISTS";
      case 7 -> "PERMISSION_DENIED";
      case 8 -> "RESOURCE_EXHAUSTED";
      case 9 -> "FAILED_PRECONDITION";
      case 10 -> "ABORTED";
      case 11 -> "OUT_OF_RANGE";
      case 12 -> "UNIMPLEMENTED";
      case 13 -> "INTERNAL";
      case 14 -> "UNAVAILABLE";
      case 15 -> "DATA_LOSS";
      case 16 -> "UNAUTHENTICATED";
      default -> "CODE_" + rpcCode;
    };
  }
}
