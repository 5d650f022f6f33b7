package io.mizzen.proxy.cluster;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream host and port with its live state (requests in flight, outlier counters). The same
 * instance is carried over from one route table to the next while the address stays, so that
 * ejections and counters survive config pushes.
 */
public final class Endpoint {
  private final String host;
  private final int port;
  private final Map<String, String> labels;
  private final InetSocketAddress address;
  private final String identity;
  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger consecutive5xx = new AtomicInteger();
  final AtomicInteger consecutiveGateway = new AtomicInteger();
  final AtomicInteger ejections = new AtomicInteger();
  volatile long ejectedUntilNanos;
  volatile boolean ejected;
  volatile boolean failingHealthCheck;

  private Endpoint(String host, int port, Map<String, String> labels, String identity) {
    this.identity = identity;
    this.host = host;
    this.port = port;
    this.labels = Map.copyOf(labels);
    // Unresolved: the connecting event loop resolves names through Vert.x's asynchronous resolver.
    this.address = InetSocketAddress.createUnresolved(host, port);
  }

  /** An endpoint at {@code host:port} carrying the workload's labels. */
  public static Endpoint of(String host, int port, Map<String, String> labels) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint port " + port + " of " + host + " is out of range 1-65535");
    }
    return new Endpoint(host, port, labels, null);
  }

  /**
   * An endpoint of a mesh workload whose identity is {@code ns/<namespace>/sa/<serviceAccount>}
   * (the SPIFFE path without the trust domain, which is the proxy's to add).
   */
  public static Endpoint of(String host, int port, Map<String, String> labels, String identity) {
    Endpoint e = of(host, port, labels);
    return identity == null ? e : new Endpoint(host, port, labels, identity);
  }

  /** {@code ns/<namespace>/sa/<serviceAccount>}, or {@code null} when not a known mesh workload. */
  public String identity() {
    return identity;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public Map<String, String> labels() {
    return labels;
  }

  /** The address to connect to, unresolved. */
  public InetSocketAddress address() {
    return address;
  }

  /** Requests in flight to this endpoint. */
  public int activeRequests() {
    return active.get();
  }

  /** Counts a request sent to this endpoint (least-request balancing). */
  public void activeRequestStarted() {
    active.incrementAndGet();
  }

  /** Counts a request to this endpoint as done. */
  public void activeRequestEnded() {
    active.decrementAndGet();
  }

  /**
   * Whether outlier detection or a health check may keep traffic away, read without the clock:
   * false means neither does ({@link #isEjected} tells, once an ejection may have run out).
   */
  public boolean mayBeEjected() {
    return ejected || failingHealthCheck;
  }

  /** Whether outlier detection or a health check currently keeps traffic away. */
  public boolean isEjected(long nowNanos) {
    if (ejected && nowNanos - ejectedUntilNanos >= 0) {
      ejected = false;
    }
    return ejected || failingHealthCheck;
  }

  /** Marks the endpoint failing or passing its active health check. */
  public void healthCheckResult(boolean healthy) {
    failingHealthCheck = !healthy;
  }

  /** {@code host:port}, as the access log prints it. */
  public String hostPort() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return hostPort();
  }
}
