package io.mizzen.spi.mixer;

import java.time.Duration;

/**
 * An adapter's answer to a check.
 *
 * @param statusCode a google.rpc code: 0 OK, 7 PERMISSION_DENIED, 16 UNAUTHENTICATED, …
 * @param message why, when not OK
 * @param validDuration how long the answer may be cached
 * @param validUseCount how many times the answer may be reused
 */
public record CheckResult(int statusCode, String message, Duration validDuration, int validUseCount) {
  public static final int OK = 0;
  public static final int INVALID_ARGUMENT = 3;
  public static final int DEADLINE_EXCEEDED = 4;
  public static final int NOT_FOUND = 5;
  public static final int PERMISSION_DENIED = 7;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int INTERNAL = 13;
  public static final int UNAVAILABLE = 14;
  public static final int UNAUTHENTICATED = 16;

  public static CheckResult ok(Duration validDuration, int validUseCount) {
    return new CheckResult(OK, "", validDuration, validUseCount);
  }

  public static CheckResult denied(int statusCode, String message, Duration validDuration, int validUseCount) {
    return new CheckResult(statusCode, message, validDuration, validUseCount);
  }

  public boolean isOk() {
    return statusCode == OK;
  }
}
