package io.mizzen.kernel.config;

import io.mizzen.spi.config.networking.CorsPolicy;
import io.mizzen.spi.config.networking.Destination;
import io.mizzen.spi.config.networking.HttpFaultInjection;
import io.mizzen.spi.config.networking.HttpMatchRequest;
import io.mizzen.spi.config.networking.HttpRoute;
import io.mizzen.spi.config.networking.HttpRouteDestination;
import io.mizzen.spi.config.networking.L4MatchAttributes;
import io.mizzen.spi.config.networking.RouteDestination;
import io.mizzen.spi.config.networking.StringMatch;
import io.mizzen.spi.config.networking.TcpRoute;
import io.mizzen.spi.config.networking.TlsRoute;
import io.mizzen.spi.config.networking.VirtualService;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The checks of a VirtualService that its schema cannot express, as Istio's validation makes them. */
final class VirtualServiceChecks {
  private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "connect-failure",
      "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers", "cancelled",
      "deadline-exceeded", "internal", "resource-exhausted", "unavailable", "envoy-ratelimited");
  private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+\\-.^_`|~]+");

  private VirtualServiceChecks() {}

  static void check(VirtualService vs, Findings f) {
    hosts(vs.hosts(), "spec.hosts", f);
    exportTo(vs.exportTo(), f);
    if (vs.gateways().isEmpty() || vs.gateways().contains("mesh")) {
      for (int i = 0; i < vs.hosts().size(); i++) {
        if (vs.hosts().get(i).equals("*")) {
          f.error("spec.hosts[" + i + "]", "the wildcard host '*' is not allowed for the mesh gateway; name the gateways");
        }
      }
    }
    if (vs.http().isEmpty() && vs.tcp().isEmpty() && vs.tls().isEmpty()) {
      f.error("spec", "a VirtualService needs at least one http, tcp or tls route");
    }
    for (int i = 0; i < vs.http().size(); i++) {
      http(vs.http().get(i), "spec.http[" + i + "]", f);
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      TcpRoute r = vs.tcp().get(i);
      String p = "spec.tcp[" + i + "]";
      for (int m = 0; m < r.match().size(); m++) {
        L4MatchAttributes a = r.match().get(m);
        f.port(p + ".match[" + m + "].port", a.port());
      }
      l4Routes(r.route(), p, f);
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      TlsRoute r = vs.tls().get(i);
      String p = "spec.tls[" + i + "]";
      for (int m = 0; m < r.match().size(); m++) {
        f.port(p + ".match[" + m + "].port", r.match().get(m).port());
      }
      l4Routes(r.route(), p, f);
    }
  }

  static void hosts(List<String> hosts, String field, Findings f) {
    for (int i = 0; i < hosts.size(); i++) {
      host(hosts.get(i), field + "[" + i + "]", f);
    }
  }

  /** One host at {@code field}; a missing one is the binder's required-field error, not checked here. */
  static void host(String h, String field, Findings f) {
    if (h == null) {
      return;
    }
    if (h.isBlank()) {
      f.error(field, "host must not be empty");
    } else if (h.indexOf('*') > 0 || h.indexOf('*') != h.lastIndexOf('*')) {
      f.error(field, "invalid host '" + h + "': a wildcard is only allowed as the first label (*.example.com)");
    } else if (h.contains("/") || h.contains(" ") || h.contains(":")) {
      f.error(field, "invalid host '" + h + "': a host is a DNS name without port or path");
    }
  }

  static void exportTo(List<String> exportTo, Findings f) {
    for (int i = 0; i < exportTo.size(); i++) {
      String e = exportTo.get(i);
      if (!e.equals(".") && !e.equals("*") && !e.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")) {
        f.error("spec.exportTo[" + i + "]", "exportTo must be '.', '*' or a namespace name, got '" + e + "'");
      }
    }
  }

  private static void http(HttpRoute r, String p, Findings f) {
    int actions = (r.route().isEmpty() ? 0 : 1) + (r.redirect() == null ? 0 : 1) + (r.directResponse() == null ? 0 : 1);
    if (actions == 0) {
      f.error(p, "an HTTP route needs one of route, redirect or directResponse");
    } else if (actions > 1) {
      f.error(p, "route, redirect and directResponse exclude each other");
    }
    if (r.redirect() != null && r.rewrite() != null) {
      f.error(p + ".rewrite", "rewrite cannot be used with redirect");
    }
    for (int m = 0; m < r.match().size(); m++) {
      match(r.match().get(m), p + ".match[" + m + "]", f);
    }
    int sum = 0;
    for (int d = 0; d < r.route().size(); d++) {
      HttpRouteDestination rd = r.route().get(d);
      String dp = p + ".route[" + d + "]";
      destination(rd.destination(), dp + ".destination", f);
      weight(rd.weight(), dp + ".weight", f);
      sum += rd.weight() == null ? 0 : rd.weight();
    }
    weightSum(r.route().size(), sum, r.route().stream().anyMatch(d -> d.weight() != null), p + ".route", f);
    if (r.redirect() != null) {
      Integer code = r.redirect().redirectCode();
      if (code != null && (code < 300 || code > 399)) {
        f.error(p + ".redirect.redirectCode", "redirect code " + code + " is not a 3xx status");
      }
      f.port(p + ".redirect.port", r.redirect().port());
    }
    if (r.directResponse() != null) {
      f.httpStatus(p + ".directResponse.status", r.directResponse().status());
    }
    f.duration(p + ".timeout", r.timeout());
    if (r.retries() != null) {
      f.atLeast(p + ".retries.attempts", r.retries().attempts(), 0);
      f.duration(p + ".retries.perTryTimeout", r.retries().perTryTimeout());
      if (r.retries().retryOn() != null) {
        for (String cond : r.retries().retryOn().split(",")) {
          String c = cond.trim();
          if (!RETRY_ON.contains(c) && !c.matches("[1-5][0-9][0-9]")) {
            f.error(p + ".retries.retryOn", "unknown retry condition '" + c + "' (known: " + String.join(", ", RETRY_ON.stream().sorted().toList()) + ", or a status code)");
          }
        }
      }
    }
    fault(r.fault(), p + ".fault", f);
    if (r.mirror() != null) {
      destination(r.mirror(), p + ".mirror", f);
    }
    f.percent(p + ".mirrorPercent", r.mirrorPercent());
    if (r.mirrorPercentage() != null) {
      f.percent(p + ".mirrorPercentage.value", r.mirrorPercentage().value());
    }
    if (r.mirrorPercent() != null && r.mirrorPercentage() != null) {
      f.error(p + ".mirrorPercentage", "mirrorPercent and mirrorPercentage exclude each other");
    }
    cors(r.corsPolicy(), p + ".corsPolicy", f);
  }

  private static void match(HttpMatchRequest m, String p, Findings f) {
    f.match(p + ".uri", m.uri());
    f.match(p + ".scheme", m.scheme());
    f.match(p + ".method", m.method());
    f.match(p + ".authority", m.authority());
    headers(m.headers(), p + ".headers", f);
    headers(m.withoutHeaders(), p + ".withoutHeaders", f);
    for (Map.Entry<String, StringMatch> q : m.queryParams().entrySet()) {
      f.match(p + ".queryParams." + q.getKey(), q.getValue());
    }
    f.port(p + ".port", m.port());
  }

  private static void headers(Map<String, StringMatch> headers, String p, Findings f) {
    for (Map.Entry<String, StringMatch> h : headers.entrySet()) {
      if (!HEADER_NAME.matcher(h.getKey()).matches()) {
        f.error(p + "." + h.getKey(), "header name '" + h.getKey() + "' must be lower case with no spaces");
      }
      f.match(p + "." + h.getKey(), h.getValue());
    }
  }

  private static void fault(HttpFaultInjection fault, String p, Findings f) {
    if (fault == null) {
      return;
    }
    if (fault.delay() == null && fault.abort() == null) {
      f.error(p, "a fault needs a delay or an abort");
    }
    if (fault.delay() != null) {
      HttpFaultInjection.Delay d = fault.delay();
      f.duration(p + ".delay.fixedDelay", d.fixedDelay());
      if (d.exponentialDelay() != null) {
        f.error(p + ".delay.exponentialDelay", "exponentialDelay is not supported; use fixedDelay");
      }
      f.percent(p + ".delay.percent", d.percent());
      if (d.percentage() != null) {
        f.percent(p + ".delay.percentage.value", d.percentage().value());
      }
    }
    if (fault.abort() != null) {
      HttpFaultInjection.Abort a = fault.abort();
      f.httpStatus(p + ".abort.httpStatus", a.httpStatus());
      if (a.grpcStatus() != null || a.http2Error() != null) {
        f.error(p + ".abort." + (a.grpcStatus() != null ? "grpcStatus" : "http2Error"),
            "only httpStatus aborts are supported");
      }
      f.percent(p + ".abort.percent", a.percent());
      if (a.percentage() != null) {
        f.percent(p + ".abort.percentage.value", a.percentage().value());
      }
    }
  }

  private static void cors(CorsPolicy c, String p, Findings f) {
    if (c == null) {
      return;
    }
    for (int i = 0; i < c.allowOrigins().size(); i++) {
      f.match(p + ".allowOrigins[" + i + "]", c.allowOrigins().get(i));
    }
    if (c.maxAge() != null && c.maxAge().getNano() != 0) {
      f.error(p + ".maxAge", "maxAge must be whole seconds");
    }
  }

  private static void l4Routes(List<RouteDestination> routes, String p, Findings f) {
    if (routes.isEmpty()) {
      f.error(p + ".route", "required field 'route' is missing or empty");
    }
    int sum = 0;
    for (int d = 0; d < routes.size(); d++) {
      destination(routes.get(d).destination(), p + ".route[" + d + "].destination", f);
      weight(routes.get(d).weight(), p + ".route[" + d + "].weight", f);
      sum += routes.get(d).weight() == null ? 0 : routes.get(d).weight();
    }
    weightSum(routes.size(), sum, routes.stream().anyMatch(d -> d.weight() != null), p + ".route", f);
  }

  private static void weight(Integer w, String field, Findings f) {
    if (w != null && (w < 0 || w > 100)) {
      f.error(field, "weight " + w + " is out of range 0-100");
    }
  }

  private static void weightSum(int count, int sum, boolean anySet, String field, Findings f) {
    // Istio: one destination may omit its weight (100 implied); otherwise the weights must add up.
    if ((count > 1 || anySet) && sum != 100) {
      f.error(field, "weights sum to " + sum + ", they must sum to 100");
    }
  }

  static void destination(Destination d, String p, Findings f) {
    if (d == null) {
      return;
    }
    if (d.host() != null && (d.host().contains("*"))) {
      f.error(p + ".host", "a destination host cannot be a wildcard: '" + d.host() + "'");
    }
    if (d.port() != null) {
      f.port(p + ".port.number", d.port().number());
    }
  }
}
