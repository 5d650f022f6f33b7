package io.mizzen.proxy.cluster;

/**
 * How a cluster picks among its healthy endpoints (DestinationRule {@code loadBalancer}).
 *
 * @param kind the simple policy, or {@link Kind#CONSISTENT_HASH}
 * @param hashOn what a consistent hash is computed from; {@code null} unless consistent
 * @param hashKey the header, cookie or query parameter name; {@code null} for source IP
 * @param cookieTtlSeconds for a cookie hash: the cookie's lifetime when the proxy sets it, 0 for none
 * @param ringSize the number of points on the hash ring
 */
public record LoadBalancing(Kind kind, HashOn hashOn, String hashKey, long cookieTtlSeconds, int ringSize) {
  /** The policies Istio offers. */
  public enum Kind { ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH, CONSISTENT_HASH }

  /** The request property a consistent hash uses. */
  public enum HashOn { HEADER, COOKIE, SOURCE_IP, QUERY_PARAMETER }

  /** Istio's default: round robin. */
  public static final LoadBalancing DEFAULT = new LoadBalancing(Kind.ROUND_ROBIN, null, null, 0, 0);

  public LoadBalancing {
    if (kind == Kind.CONSISTENT_HASH && hashOn == null) {
      throw new IllegalArgumentException("consistentHash needs one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName");
    }
    if (ringSize <= 0) {
      ringSize = 1024;
    }
  }

  /** A simple policy. */
  public static LoadBalancing simple(Kind kind) {
    return new LoadBalancing(kind, null, null, 0, 0);
  }
}
