package io.mizzen.proxy.route;

import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.LoadBalancing;
import io.mizzen.proxy.cluster.OutlierPolicy;
import io.mizzen.proxy.tls.UpstreamTls;
import io.mizzen.spi.config.networking.ClientTlsSettings;
import io.mizzen.spi.config.networking.ConnectionPoolSettings;
import io.mizzen.spi.config.networking.DestinationRule;
import io.mizzen.spi.config.networking.LoadBalancerSettings;
import io.mizzen.spi.config.networking.OutlierDetection;
import io.mizzen.spi.config.networking.PortSelector;
import io.mizzen.spi.config.networking.Subset;
import io.mizzen.spi.config.networking.TrafficPolicy;
import java.time.Duration;
import java.util.Map;

/**
 * Resolves a DestinationRule's traffic policy for one cluster: the rule's own policy, then its
 * port-level settings for the port, then the subset's policy and its port-level settings, each
 * replacing the sections (load balancer, connection pool, outlier detection, tls) it sets. A
 * {@code tls} in mode SIMPLE or MUTUAL becomes the cluster's {@link UpstreamTls}, named after the
 * rule and the field it came from so that a bad file is reported where it was written.
 */
final class ClusterPolicies {
  private ClusterPolicies() {}

  /**
   * The policy for a cluster.
   *
   * @param rule the DestinationRule of the host, or {@code null}
   * @param ruleName the rule's {@code namespace/name}, for messages
   * @param host the cluster's fully qualified host: the default SNI of TLS origination
   * @param subset the subset, or {@code null}
   * @param port the service port
   * @param portName the service port's name
   */
  static ClusterPolicy resolve(DestinationRule rule, String ruleName, String host, Subset subset, int port,
      String portName) {
    if (rule == null) {
      return ClusterPolicy.DEFAULT;
    }
    Sections s = new Sections();
    s.apply(rule.trafficPolicy(), "trafficPolicy", port, portName);
    if (subset != null) {
      s.apply(subset.trafficPolicy(), "subsets[" + rule.subsets().indexOf(subset) + "].trafficPolicy", port, portName);
    }
    return s.build("DestinationRule " + ruleName, host);
  }

  /**
   * Whether the resolved {@code connectionPool.http.h2UpgradePolicy} is {@code UPGRADE}: the
   * endpoints speak h2c, so requests go to them as HTTP/2 streams.
   */
  static boolean upgradesToHttp2(DestinationRule rule, Subset subset, int port, String portName) {
    if (rule == null) {
      return false;
    }
    Sections s = new Sections();
    s.apply(rule.trafficPolicy(), "trafficPolicy", port, portName);
    if (subset != null) {
      s.apply(subset.trafficPolicy(), "subsets.trafficPolicy", port, portName);
    }
    return s.pool != null && s.pool.http() != null
        && s.pool.http().h2UpgradePolicy() == ConnectionPoolSettings.H2UpgradePolicy.UPGRADE;
  }

  /** The labels of a named subset, or {@code null} when the rule has no such subset. */
  static Subset subset(DestinationRule rule, String name) {
    if (rule == null || rule.subsets() == null) {
      return null;
    }
    for (Subset s : rule.subsets()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }

  static Map<String, String> labels(Subset subset) {
    return subset == null || subset.labels() == null ? Map.of() : subset.labels();
  }

  private static final class Sections {
    LoadBalancerSettings lb;
    ConnectionPoolSettings pool;
    OutlierDetection outlier;
    ClientTlsSettings tls;
    /** The field path of {@code tls}, for messages. */
    String tlsField;

    void apply(TrafficPolicy policy, String field, int port, String portName) {
      if (policy == null) {
        return;
      }
      take(policy.loadBalancer(), policy.connectionPool(), policy.outlierDetection());
      takeTls(policy.tls(), field + ".tls");
      if (policy.portLevelSettings() != null) {
        for (int i = 0; i < policy.portLevelSettings().size(); i++) {
          TrafficPolicy.PortTrafficPolicy p = policy.portLevelSettings().get(i);
          if (matches(p.port(), port, portName)) {
            take(p.loadBalancer(), p.connectionPool(), p.outlierDetection());
            takeTls(p.tls(), field + ".portLevelSettings[" + i + "].tls");
          }
        }
      }
    }

    private void takeTls(ClientTlsSettings t, String field) {
      if (t != null) {
        tls = t;
        tlsField = field;
      }
    }

    private void take(LoadBalancerSettings l, ConnectionPoolSettings c, OutlierDetection o) {
      lb = l != null ? l : lb;
      pool = c != null ? c : pool;
      outlier = o != null ? o : outlier;
    }

    private static boolean matches(PortSelector selector, int port, String portName) {
      if (selector == null) {
        return false;
      }
      return (selector.number() != null && selector.number() == port)
          || (selector.name() != null && selector.name().equals(portName));
    }

    ClusterPolicy build(String source, String host) {
      ClusterPolicy d = ClusterPolicy.DEFAULT;
      ConnectionPoolSettings.Tcp tcp = pool == null ? null : pool.tcp();
      ConnectionPoolSettings.Http http = pool == null ? null : pool.http();
      return new ClusterPolicy(
          loadBalancing(lb),
          tcp != null && tcp.connectTimeout() != null ? tcp.connectTimeout() : d.connectTimeout(),
          http != null && http.idleTimeout() != null ? http.idleTimeout() : d.idleTimeout(),
          tcp != null && tcp.maxConnections() != null ? tcp.maxConnections() : d.maxConnections(),
          http != null && http.http1MaxPendingRequests() != null ? http.http1MaxPendingRequests() : d.maxPendingRequests(),
          http != null && http.http2MaxRequests() != null ? http.http2MaxRequests() : d.maxRequests(),
          http != null && http.maxRequestsPerConnection() != null ? http.maxRequestsPerConnection() : 0,
          http != null && http.maxRetries() != null ? http.maxRetries() : d.maxRetries(),
          outlier(outlier),
          tls != null && tls.mode() == ClientTlsSettings.Mode.ISTIO_MUTUAL,
          tls == null ? null : tls.subjectAltNames(),
          tls != null && tls.mode() == ClientTlsSettings.Mode.ISTIO_MUTUAL && tls.sni() != null && !tls.sni().isBlank()
              ? tls.sni() : null,
          originate(source + ": " + tlsField, host));
    }

    /** SIMPLE and MUTUAL: the settings to originate TLS with; {@code null} for the other modes. */
    private UpstreamTls originate(String source, String host) {
      if (tls == null || tls.mode() != ClientTlsSettings.Mode.SIMPLE && tls.mode() != ClientTlsSettings.Mode.MUTUAL) {
        return null;
      }
      String sni = tls.sni() != null && !tls.sni().isBlank() ? tls.sni() : dnsName(host);
      return new UpstreamTls(source, tls.mode() == ClientTlsSettings.Mode.MUTUAL, tls.caCertificates(),
          tls.clientCertificate(), tls.privateKey(), tls.subjectAltNames(), sni);
    }
  }

  /** The host when it is a DNS name (not an IP address, not a wildcard) fit for SNI, else {@code null}. */
  static String dnsName(String host) {
    if (host == null || host.isEmpty() || host.contains("*") || host.contains(":")
        || host.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
      return null;
    }
    try {
      new javax.net.ssl.SNIHostName(host);
      return host;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static LoadBalancing loadBalancing(LoadBalancerSettings lb) {
    if (lb == null) {
      return LoadBalancing.DEFAULT;
    }
    if (lb.consistentHash() != null) {
      LoadBalancerSettings.ConsistentHash h = lb.consistentHash();
      int ring = h.minimumRingSize() == null ? 1024 : (int) Math.min(1 << 16, h.minimumRingSize());
      if (h.httpHeaderName() != null) {
        return new LoadBalancing(LoadBalancing.Kind.CONSISTENT_HASH, LoadBalancing.HashOn.HEADER,
            h.httpHeaderName().toLowerCase(java.util.Locale.ROOT), 0, ring);
      }
      if (h.httpCookie() != null) {
        Duration ttl = h.httpCookie().ttl();
        return new LoadBalancing(LoadBalancing.Kind.CONSISTENT_HASH, LoadBalancing.HashOn.COOKIE,
            h.httpCookie().name(), ttl == null ? 0 : ttl.toSeconds(), ring);
      }
      if (h.httpQueryParameterName() != null) {
        return new LoadBalancing(LoadBalancing.Kind.CONSISTENT_HASH, LoadBalancing.HashOn.QUERY_PARAMETER,
            h.httpQueryParameterName(), 0, ring);
      }
      return new LoadBalancing(LoadBalancing.Kind.CONSISTENT_HASH, LoadBalancing.HashOn.SOURCE_IP, null, 0, ring);
    }
    if (lb.simple() == null) {
      return LoadBalancing.DEFAULT;
    }
    switch (lb.simple()) {
      case LEAST_CONN:
        return LoadBalancing.simple(LoadBalancing.Kind.LEAST_REQUEST);
      case RANDOM:
        return LoadBalancing.simple(LoadBalancing.Kind.RANDOM);
      case PASSTHROUGH:
        return LoadBalancing.simple(LoadBalancing.Kind.PASSTHROUGH);
      default:
        return LoadBalancing.DEFAULT;
    }
  }

  private static OutlierPolicy outlier(OutlierDetection o) {
    if (o == null) {
      return null;
    }
    // Istio 1.4's consecutiveErrors counted 5xx answers; the later fields are more precise.
    int c5 = o.consecutive5xxErrors() != null ? o.consecutive5xxErrors()
        : o.consecutiveErrors() != null ? o.consecutiveErrors() : 5;
    int cg = o.consecutiveGatewayErrors() != null ? o.consecutiveGatewayErrors() : 0;
    return new OutlierPolicy(c5, cg, o.interval(), o.baseEjectionTime(),
        o.maxEjectionPercent() == null ? 10 : o.maxEjectionPercent(),
        o.minHealthPercent() == null ? 0 : o.minHealthPercent());
  }
}
