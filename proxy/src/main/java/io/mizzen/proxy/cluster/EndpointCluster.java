package io.mizzen.proxy.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** The one {@link Cluster} implementation: a fixed endpoint list with shared atomic state. */
final class EndpointCluster implements Cluster {
  private final String name;
  private final ClusterPolicy policy;
  private final List<Endpoint> endpoints;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();
  private final long requestLimit;
  private final boolean http2;
  private final long[] ringHashes;
  private final int[] ringEndpoints;

  EndpointCluster(String name, ClusterPolicy policy, List<Endpoint> endpoints, boolean http2) {
    this.name = name;
    this.http2 = http2;
    this.policy = policy;
    this.endpoints = List.copyOf(endpoints);
    this.requestLimit = policy.requestLimit();
    if (policy.loadBalancing().kind() == LoadBalancing.Kind.CONSISTENT_HASH && !this.endpoints.isEmpty()) {
      int perEndpoint = Math.max(1, policy.loadBalancing().ringSize() / this.endpoints.size());
      long[][] points = new long[this.endpoints.size() * perEndpoint][];
      int i = 0;
      for (int e = 0; e < this.endpoints.size(); e++) {
        for (int v = 0; v < perEndpoint; v++) {
          points[i++] = new long[] {hash(this.endpoints.get(e).hostPort() + "_" + v), e};
        }
      }
      Arrays.sort(points, (a, b) -> Long.compare(a[0], b[0]));
      ringHashes = new long[points.length];
      ringEndpoints = new int[points.length];
      for (int p = 0; p < points.length; p++) {
        ringHashes[p] = points[p][0];
        ringEndpoints[p] = (int) points[p][1];
      }
    } else {
      ringHashes = new long[0];
      ringEndpoints = new int[0];
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ClusterPolicy policy() {
    return policy;
  }

  @Override
  public boolean http2() {
    return http2;
  }

  @Override
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public Endpoint pick(RequestKeys request, List<Endpoint> tried) {
    int size = endpoints.size();
    if (size == 0) {
      return null;
    }
    List<Endpoint> healthy = healthy();
    if (healthy.isEmpty()) {
      return null;
    }
    List<Endpoint> candidates = healthy;
    if (!tried.isEmpty() && healthy.size() > 1) {
      candidates = new ArrayList<>(healthy);
      candidates.removeAll(tried);
      if (candidates.isEmpty()) {
        candidates = healthy;
      }
    }
    LoadBalancing lb = policy.loadBalancing();
    switch (lb.kind()) {
      case RANDOM:
        return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
      case LEAST_REQUEST: {
        // Power of two choices, as Envoy does: cheap and nearly as good as a full scan.
        Endpoint a = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        Endpoint b = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        return a.activeRequests() <= b.activeRequests() ? a : b;
      }
      case CONSISTENT_HASH: {
        String key = hashKey(lb, request);
        if (key != null && tried.isEmpty()) {
          Endpoint onRing = onRing(hash(key), candidates);
          if (onRing != null) {
            return onRing;
          }
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
      }
      default:
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
  }

  /** The endpoints traffic may go to; the clock is read only when an endpoint may be ejected. */
  private List<Endpoint> healthy() {
    boolean anyEjected = false;
    for (Endpoint e : endpoints) {
      anyEjected |= e.mayBeEjected();
    }
    if (!anyEjected) {
      return endpoints;
    }
    long now = System.nanoTime();
    int ejectedCount = 0;
    for (Endpoint e : endpoints) {
      if (e.isEjected(now)) {
        ejectedCount++;
      }
    }
    if (ejectedCount == 0) {
      return endpoints;
    }
    OutlierPolicy outlier = policy.outlier();
    int minHealth = outlier == null ? 0 : outlier.minHealthPercent();
    int healthyPercent = (endpoints.size() - ejectedCount) * 100 / endpoints.size();
    if (minHealth > 0 && healthyPercent < minHealth) {
      // Panic mode: too few healthy hosts left, so spread load over all of them again.
      return endpoints;
    }
    List<Endpoint> out = new ArrayList<>(endpoints.size() - ejectedCount);
    for (Endpoint e : endpoints) {
      if (!e.isEjected(now)) {
        out.add(e);
      }
    }
    return out;
  }

  private Endpoint onRing(long h, List<Endpoint> candidates) {
    int idx = Arrays.binarySearch(ringHashes, h);
    if (idx < 0) {
      idx = -idx - 1;
    }
    for (int step = 0; step < ringHashes.length; step++) {
      Endpoint e = endpoints.get(ringEndpoints[(idx + step) % ringHashes.length]);
      if (candidates.contains(e)) {
        return e;
      }
    }
    return null;
  }

  private static String hashKey(LoadBalancing lb, RequestKeys request) {
    switch (lb.hashOn()) {
      case HEADER:
        return request.header(lb.hashKey());
      case COOKIE:
        return request.cookie(lb.hashKey());
      case QUERY_PARAMETER:
        return request.queryParameter(lb.hashKey());
      default:
        return request.sourceIp();
    }
  }

  /** 64-bit FNV-1a, finished with a mixer so that ring points spread evenly. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public String admitRequest() {
    if (inFlight.incrementAndGet() > requestLimit) {
      inFlight.decrementAndGet();
      return "upstream overflow: cluster " + name + " has " + requestLimit
          + " requests in flight (maxConnections " + policy.maxConnections() + " + http1MaxPendingRequests "
          + policy.maxPendingRequests() + ", http2MaxRequests " + policy.maxRequests() + ")";
    }
    return null;
  }

  @Override
  public void releaseRequest() {
    inFlight.decrementAndGet();
  }

  @Override
  public boolean admitRetry() {
    if (retries.incrementAndGet() > policy.maxRetries()) {
      retries.decrementAndGet();
      return false;
    }
    return true;
  }

  @Override
  public void releaseRetry() {
    retries.decrementAndGet();
  }

  @Override
  public void recordStatus(Endpoint endpoint, int status) {
    OutlierPolicy outlier = policy.outlier();
    if (outlier == null) {
      return;
    }
    if (status >= 500) {
      boolean gateway = status == 502 || status == 503 || status == 504;
      int c5 = endpoint.consecutive5xx.incrementAndGet();
      int cg = gateway ? endpoint.consecutiveGateway.incrementAndGet() : endpoint.consecutiveGateway.get();
      if ((outlier.consecutive5xx() > 0 && c5 >= outlier.consecutive5xx())
          || (gateway && outlier.consecutiveGatewayErrors() > 0 && cg >= outlier.consecutiveGatewayErrors())) {
        eject(endpoint, outlier);
      }
    } else {
      endpoint.consecutive5xx.set(0);
      endpoint.consecutiveGateway.set(0);
    }
  }

  @Override
  public void recordFailure(Endpoint endpoint) {
    recordStatus(endpoint, 503);
  }

  private void eject(Endpoint endpoint, OutlierPolicy outlier) {
    long now = System.nanoTime();
    if (endpoint.isEjected(now)) {
      return;
    }
    int ejectedCount = 0;
    for (Endpoint e : endpoints) {
      if (e.isEjected(now)) {
        ejectedCount++;
      }
    }
    // As Envoy: eject while the share already ejected is below the maximum, so one host can
    // always be ejected even when the maximum is smaller than one host's share.
    if (ejectedCount * 100 >= outlier.maxEjectionPercent() * endpoints.size()) {
      return;
    }
    int times = endpoint.ejections.incrementAndGet();
    endpoint.ejectedUntilNanos = now + outlier.baseEjectionTime().toNanos() * times;
    endpoint.ejected = true;
    endpoint.consecutive5xx.set(0);
    endpoint.consecutiveGateway.set(0);
  }

  @Override
  public String toString() {
    return name + endpoints;
  }
}
