package io.mizzen.spi.config.networking;

import java.time.Duration;

/**
 * Ejecting endpoints that keep failing.
 *
 * @param consecutiveErrors 5xx in a row before ejection (Istio 1.4; 502-504 only in later ones)
 * @param consecutive5xxErrors 5xx in a row before ejection (later Istio)
 * @param consecutiveGatewayErrors 502/503/504 in a row before ejection (later Istio)
 * @param interval how often endpoints are checked
 * @param baseEjectionTime the least ejection time, multiplied by the number of ejections
 * @param maxEjectionPercent the most endpoints ejected at once, 0-100
 * @param minHealthPercent below this share of healthy endpoints, ejection stops, 0-100
 */
public record OutlierDetection(
    Integer consecutiveErrors,
    Integer consecutive5xxErrors,
    Integer consecutiveGatewayErrors,
    Duration interval,
    Duration baseEjectionTime,
    Integer maxEjectionPercent,
    Integer minHealthPercent) {}
