package io.mizzen.proxy.authz;

/**
 * An authorization outcome.
 *
 * @param allowed whether the request may proceed
 * @param policy the policy that decided, {@code namespace/name}, or empty for a default
 * @param reason why, for the access log and the 403 body
 */
public record Decision(boolean allowed, String policy, String reason) {
  static Decision allow(String policy, String reason) {
    return new Decision(true, policy, reason);
  }

  static Decision deny(String policy, String reason) {
    return new Decision(false, policy, reason);
  }
}
