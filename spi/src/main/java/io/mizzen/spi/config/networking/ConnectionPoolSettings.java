package io.mizzen.spi.config.networking;

import java.time.Duration;

/**
 * Connection-pool limits (circuit breaking).
 *
 * @param tcp TCP limits
 * @param http HTTP limits
 */
public record ConnectionPoolSettings(Tcp tcp, Http http) {

  /**
   * @param maxConnections the most connections to a destination host
   * @param connectTimeout the TCP connect timeout
   * @param tcpKeepalive keepalive probing, or {@code null} for the OS default
   */
  public record Tcp(Integer maxConnections, Duration connectTimeout, TcpKeepalive tcpKeepalive) {}

  /**
   * @param probes probes before the connection is dead
   * @param time idle time before probing
   * @param interval time between probes
   */
  public record TcpKeepalive(Integer probes, Duration time, Duration interval) {}

  /**
   * @param http1MaxPendingRequests the most requests waiting for a connection
   * @param http2MaxRequests the most requests in flight
   * @param maxRequestsPerConnection requests per connection before it is closed; 0 or unset for
   *     no limit
   * @param maxRetries the most retries in flight
   * @param idleTimeout how long a pooled connection may sit idle
   * @param h2UpgradePolicy whether HTTP/1.1 connections are upgraded to HTTP/2
   */
  public record Http(
      Integer http1MaxPendingRequests,
      Integer http2MaxRequests,
      Integer maxRequestsPerConnection,
      Integer maxRetries,
      Duration idleTimeout,
      H2UpgradePolicy h2UpgradePolicy) {}

  /** Istio's upgrade policies. */
  public enum H2UpgradePolicy { DEFAULT, DO_NOT_UPGRADE, UPGRADE }
}
