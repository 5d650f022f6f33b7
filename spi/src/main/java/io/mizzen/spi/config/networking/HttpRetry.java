package io.mizzen.spi.config.networking;

import java.time.Duration;

/**
 * Retry policy.
 *
 * @param attempts how many retries (not counting the first try)
 * @param perTryTimeout the timeout of each try, or {@code null} for the route's timeout
 * @param retryOn Envoy's conditions, comma-separated: {@code 5xx}, {@code gateway-error},
 *     {@code connect-failure}, {@code retriable-4xx}, {@code refused-stream}, {@code reset},
 *     {@code retriable-status-codes} and bare status codes
 * @param retryRemoteLocalities whether retries may go to other localities (later Istio)
 */
public record HttpRetry(Integer attempts, Duration perTryTimeout, String retryOn, Boolean retryRemoteLocalities) {}
