package io.mizzen.kernel.config;

import io.mizzen.spi.config.networking.ClientTlsSettings;
import io.mizzen.spi.config.networking.ConnectionPoolSettings;
import io.mizzen.spi.config.networking.DestinationRule;
import io.mizzen.spi.config.networking.LoadBalancerSettings;
import io.mizzen.spi.config.networking.OutlierDetection;
import io.mizzen.spi.config.networking.Subset;
import io.mizzen.spi.config.networking.TrafficPolicy;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** The checks of a DestinationRule that its schema cannot express. */
final class DestinationRuleChecks {
  private DestinationRuleChecks() {}

  static void check(DestinationRule dr, Findings f) {
    VirtualServiceChecks.host(dr.host(), "spec.host", f);
    VirtualServiceChecks.exportTo(dr.exportTo(), f);
    policy(dr.trafficPolicy(), "spec.trafficPolicy", true, f);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < dr.subsets().size(); i++) {
      Subset s = dr.subsets().get(i);
      String p = "spec.subsets[" + i + "]";
      if (s.name() != null && !names.add(s.name())) {
        f.error(p + ".name", "duplicate subset name '" + s.name() + "'");
      }
      if (s.labels().isEmpty()) {
        f.warn(p + ".labels", "subset '" + s.name() + "' has no labels: it selects every endpoint of the host");
      }
      policy(s.trafficPolicy(), p + ".trafficPolicy", true, f);
    }
  }

  private static void policy(TrafficPolicy tp, String p, boolean portLevelAllowed, Findings f) {
    if (tp == null) {
      return;
    }
    loadBalancer(tp.loadBalancer(), p + ".loadBalancer", f);
    pool(tp.connectionPool(), p + ".connectionPool", f);
    outlier(tp.outlierDetection(), p + ".outlierDetection", f);
    tls(tp.tls(), p + ".tls", f);
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < tp.portLevelSettings().size(); i++) {
      TrafficPolicy.PortTrafficPolicy pl = tp.portLevelSettings().get(i);
      String pp = p + ".portLevelSettings[" + i + "]";
      if (pl.port() == null || pl.port().number() == null) {
        f.error(pp + ".port", "required field 'port.number' is missing");
      } else {
        f.port(pp + ".port.number", pl.port().number());
        if (!ports.add(pl.port().number())) {
          f.error(pp + ".port.number", "port " + pl.port().number() + " has settings twice");
        }
      }
      loadBalancer(pl.loadBalancer(), pp + ".loadBalancer", f);
      pool(pl.connectionPool(), pp + ".connectionPool", f);
      outlier(pl.outlierDetection(), pp + ".outlierDetection", f);
      tls(pl.tls(), pp + ".tls", f);
    }
  }

  private static void loadBalancer(LoadBalancerSettings lb, String p, Findings f) {
    if (lb == null) {
      return;
    }
    if (lb.simple() == null && lb.consistentHash() == null && lb.localityLbSetting() == null) {
      f.error(p, "a load balancer needs simple or consistentHash");
    }
    if (lb.consistentHash() != null) {
      LoadBalancerSettings.ConsistentHash ch = lb.consistentHash();
      if (ch.minimumRingSize() != null && ch.minimumRingSize() < 1) {
        f.error(p + ".consistentHash.minimumRingSize", "must be at least 1");
      }
      if (ch.httpCookie() != null) {
        f.notEmpty(p + ".consistentHash.httpCookie.name", ch.httpCookie().name(), "cookie name");
      }
      f.notEmpty(p + ".consistentHash.httpHeaderName", ch.httpHeaderName(), "header name");
    }
    if (lb.localityLbSetting() != null) {
      var l = lb.localityLbSetting();
      for (int i = 0; i < l.distribute().size(); i++) {
        int sum = l.distribute().get(i).to().values().stream().mapToInt(Integer::intValue).sum();
        if (sum != 100) {
          f.error(p + ".localityLbSetting.distribute[" + i + "].to", "weights sum to " + sum + ", they must sum to 100");
        }
      }
    }
  }

  private static void pool(ConnectionPoolSettings cp, String p, Findings f) {
    if (cp == null) {
      return;
    }
    if (cp.tcp() != null) {
      f.atLeast(p + ".tcp.maxConnections", cp.tcp().maxConnections(), 1);
      f.duration(p + ".tcp.connectTimeout", cp.tcp().connectTimeout());
      if (cp.tcp().tcpKeepalive() != null) {
        f.duration(p + ".tcp.tcpKeepalive.time", cp.tcp().tcpKeepalive().time());
        f.duration(p + ".tcp.tcpKeepalive.interval", cp.tcp().tcpKeepalive().interval());
      }
    }
    if (cp.http() != null) {
      ConnectionPoolSettings.Http h = cp.http();
      f.atLeast(p + ".http.http1MaxPendingRequests", h.http1MaxPendingRequests(), 1);
      f.atLeast(p + ".http.http2MaxRequests", h.http2MaxRequests(), 1);
      f.atLeast(p + ".http.maxRequestsPerConnection", h.maxRequestsPerConnection(), 0);
      f.atLeast(p + ".http.maxRetries", h.maxRetries(), 0);
      f.duration(p + ".http.idleTimeout", h.idleTimeout());
    }
  }

  private static void outlier(OutlierDetection o, String p, Findings f) {
    if (o == null) {
      return;
    }
    f.atLeast(p + ".consecutiveErrors", o.consecutiveErrors(), 0);
    f.atLeast(p + ".consecutive5xxErrors", o.consecutive5xxErrors(), 0);
    f.atLeast(p + ".consecutiveGatewayErrors", o.consecutiveGatewayErrors(), 0);
    f.duration(p + ".interval", o.interval());
    f.duration(p + ".baseEjectionTime", o.baseEjectionTime());
    f.percent(p + ".maxEjectionPercent", o.maxEjectionPercent());
    f.percent(p + ".minHealthPercent", o.minHealthPercent());
  }

  private static void tls(ClientTlsSettings tls, String p, Findings f) {
    if (tls == null) {
      return;
    }
    if (tls.mode() == null) {
      f.error(p + ".mode", "required field 'mode' is missing");
    } else if (tls.mode() == ClientTlsSettings.Mode.MUTUAL && tls.credentialName() == null
        && (tls.clientCertificate() == null || tls.privateKey() == null)) {
      f.error(p, "MUTUAL needs clientCertificate and privateKey (or credentialName)");
    }
  }

  /** The subset names of a rule, for analysis. */
  static Map<String, Subset> subsets(DestinationRule dr) {
    Map<String, Subset> out = new java.util.LinkedHashMap<>();
    dr.subsets().forEach(s -> out.put(s.name(), s));
    return out;
  }
}
