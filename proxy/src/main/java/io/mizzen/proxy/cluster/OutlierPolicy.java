package io.mizzen.proxy.cluster;

import java.time.Duration;

/**
 * DestinationRule {@code outlierDetection}: when an endpoint is ejected and for how long.
 *
 * @param consecutive5xx ejects after this many 5xx in a row; 0 disables
 * @param consecutiveGatewayErrors ejects after this many 502/503/504 or connect failures in a row; 0 disables
 * @param interval how often ejections are reconsidered
 * @param baseEjectionTime the ejection lasts this times the number of times the endpoint was ejected
 * @param maxEjectionPercent at most this share of the cluster is ejected at once
 * @param minHealthPercent below this share of healthy endpoints, ejection is ignored (panic mode)
 */
public record OutlierPolicy(
    int consecutive5xx,
    int consecutiveGatewayErrors,
    Duration interval,
    Duration baseEjectionTime,
    int maxEjectionPercent,
    int minHealthPercent) {
  public OutlierPolicy {
    interval = interval == null ? Duration.ofSeconds(10) : interval;
    baseEjectionTime = baseEjectionTime == null ? Duration.ofSeconds(30) : baseEjectionTime;
  }
}
