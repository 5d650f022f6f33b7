package io.mizzen.proxy.route;

import io.mizzen.spi.config.networking.CorsPolicy;
import io.mizzen.spi.config.networking.HeaderOperations;
import io.mizzen.spi.config.networking.Headers;
import io.mizzen.spi.config.networking.HttpFaultInjection;
import io.mizzen.spi.config.networking.HttpMatchRequest;
import io.mizzen.spi.config.networking.HttpRoute;
import io.mizzen.spi.config.networking.HttpRouteDestination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one VirtualService's {@code http[]} into {@link Route}s. Every error names the
 * VirtualService and the field path, such as {@code spec.http[1].retries.retryOn}.
 */
final class RouteCompiler {
  /** Finds the cluster for a destination, relative to the VirtualService's namespace. */
  interface Clusters {
    Destination destination(io.mizzen.spi.config.networking.Destination d, int weight, HeaderOps request,
        HeaderOps response, String field);
  }

  private final String where;
  private final Clusters clusters;

  RouteCompiler(String where, Clusters clusters) {
    this.where = where;
    this.clusters = clusters;
  }

  List<Route> compile(List<HttpRoute> http, String vsName) {
    List<Route> out = new ArrayList<>();
    for (int i = 0; i < http.size(); i++) {
      out.add(route(http.get(i), vsName + "." + i, "spec.http[" + i + "]"));
    }
    return out;
  }

  private IllegalArgumentException error(String field, String message) {
    return new IllegalArgumentException(where + ": " + field + ": " + message);
  }

  private Route route(HttpRoute r, String defaultName, String field) {
    List<RequestMatch> matches = new ArrayList<>();
    if (r.match() != null) {
      for (int m = 0; m < r.match().size(); m++) {
        matches.add(match(r.match().get(m), field + ".match[" + m + "]"));
      }
    }
    List<Destination> destinations = new ArrayList<>();
    int total = 0;
    if (r.route() != null) {
      for (int d = 0; d < r.route().size(); d++) {
        HttpRouteDestination rd = r.route().get(d);
        String f = field + ".route[" + d + "]";
        int weight = r.route().size() == 1 && rd.weight() == null ? 100 : rd.weight() == null ? 0 : rd.weight();
        if (weight < 0) {
          throw error(f + ".weight", "must not be negative, was " + weight);
        }
        HeaderOps req = ops(rd.headers() == null ? null : rd.headers().request(), rd.appendRequestHeaders(), rd.removeRequestHeaders());
        HeaderOps resp = ops(rd.headers() == null ? null : rd.headers().response(), rd.appendResponseHeaders(), rd.removeResponseHeaders());
        destinations.add(clusters.destination(rd.destination(), weight, req, resp, f + ".destination"));
        total += weight;
      }
    }
    if (destinations.isEmpty() && r.redirect() == null && r.directResponse() == null) {
      throw error(field, "needs route, redirect or directResponse");
    }
    if (!destinations.isEmpty() && total == 0) {
      throw error(field + ".route", "the weights add up to 0");
    }
    Route.Redirect redirect = r.redirect() == null ? null
        : new Route.Redirect(r.redirect().uri(), r.redirect().authority(), r.redirect().effectiveCode(), r.redirect().scheme());
    Route.DirectResponse direct = r.directResponse() == null ? null
        : new Route.DirectResponse(r.directResponse().status(),
            r.directResponse().body() == null || r.directResponse().body().string() == null ? "" : r.directResponse().body().string());
    Route.Rewrite rewrite = r.rewrite() == null ? null : new Route.Rewrite(r.rewrite().uri(), r.rewrite().authority());
    RetryPolicy retries = RetryPolicy.DEFAULT;
    if (r.retries() != null) {
      int attempts = r.retries().attempts() == null ? 2 : r.retries().attempts();
      try {
        retries = attempts == 0 ? RetryPolicy.NONE : RetryPolicy.of(attempts, r.retries().perTryTimeout(), r.retries().retryOn());
      } catch (IllegalArgumentException e) {
        throw error(field + ".retries", e.getMessage());
      }
    }
    Fault fault = fault(r.fault(), field + ".fault");
    Destination mirror = r.mirror() == null ? null
        : clusters.destination(r.mirror(), 100, HeaderOps.NONE, HeaderOps.NONE, field + ".mirror");
    Headers h = r.headers();
    HeaderOps reqOps = ops(h == null ? null : h.request(), merge(r.appendHeaders(), r.appendRequestHeaders()), r.removeRequestHeaders());
    HeaderOps respOps = ops(h == null ? null : h.response(), r.appendResponseHeaders(), r.removeResponseHeaders());
    Duration timeout = r.timeout() == null || r.timeout().isZero() ? null : r.timeout();
    return new Route(r.name() == null ? defaultName : r.name(), matches, destinations, total, redirect, direct, rewrite,
        timeout, retries, fault, mirror, mirror == null ? 0 : r.effectiveMirrorPercent(), cors(r.corsPolicy()), reqOps, respOps);
  }

  private RequestMatch match(HttpMatchRequest m, String field) {
    return new RequestMatch(m.name() == null ? "" : m.name(),
        string(m.uri(), field + ".uri"), string(m.scheme(), field + ".scheme"),
        string(m.method(), field + ".method"), string(m.authority(), field + ".authority"),
        strings(m.headers(), field + ".headers", true), strings(m.withoutHeaders(), field + ".withoutHeaders", true),
        strings(m.queryParams(), field + ".queryParams", false),
        m.port() == null ? 0 : m.port(),
        m.sourceLabels() == null ? Map.of() : m.sourceLabels(),
        m.gateways() == null ? Set.of() : Set.copyOf(shortGateways(m.gateways())),
        Boolean.TRUE.equals(m.ignoreUriCase()));
  }

  static List<String> shortGateways(List<String> gateways) {
    List<String> out = new ArrayList<>();
    for (String g : gateways) {
      out.add(g.contains("/") ? g.substring(g.indexOf('/') + 1) : g);
    }
    return out;
  }

  private Map<String, StringMatch> strings(Map<String, io.mizzen.spi.config.networking.StringMatch> in, String field,
      boolean lowerKeys) {
    if (in == null) {
      return Map.of();
    }
    Map<String, StringMatch> out = new LinkedHashMap<>();
    for (Map.Entry<String, io.mizzen.spi.config.networking.StringMatch> e : in.entrySet()) {
      String key = lowerKeys ? e.getKey().toLowerCase(Locale.ROOT) : e.getKey();
      out.put(key, string(e.getValue(), field + "." + e.getKey()));
    }
    return out;
  }

  private StringMatch string(io.mizzen.spi.config.networking.StringMatch m, String field) {
    if (m == null) {
      return null;
    }
    if (m.exact() != null) {
      return StringMatch.exact(m.exact());
    }
    if (m.prefix() != null) {
      return StringMatch.prefix(m.prefix());
    }
    try {
      return StringMatch.regex(m.regex());
    } catch (java.util.regex.PatternSyntaxException e) {
      throw error(field + ".regex", "invalid regular expression: " + e.getDescription());
    }
  }

  private Fault fault(HttpFaultInjection f, String field) {
    if (f == null) {
      return null;
    }
    Duration delay = null;
    double delayPercent = 0;
    if (f.delay() != null) {
      delay = f.delay().fixedDelay() != null ? f.delay().fixedDelay() : f.delay().exponentialDelay();
      delayPercent = f.delay().effectivePercent();
    }
    int status = 0;
    double abortPercent = 0;
    if (f.abort() != null) {
      if (f.abort().httpStatus() == null) {
        throw error(field + ".abort", "only httpStatus aborts are supported on HTTP/1.1 routes");
      }
      status = f.abort().httpStatus();
      if (status < 200 || status > 599) {
        throw error(field + ".abort.httpStatus", status + " is not a final HTTP status");
      }
      abortPercent = f.abort().effectivePercent();
    }
    try {
      return new Fault(delay, delayPercent, status, abortPercent);
    } catch (IllegalArgumentException e) {
      throw error(field, e.getMessage());
    }
  }

  private io.mizzen.proxy.route.CorsPolicy cors(CorsPolicy c) {
    if (c == null) {
      return null;
    }
    List<StringMatch> origins = new ArrayList<>();
    if (c.allowOrigin() != null) {
      for (String o : c.allowOrigin()) {
        origins.add(StringMatch.exact(o));
      }
    }
    if (c.allowOrigins() != null) {
      for (io.mizzen.spi.config.networking.StringMatch m : c.allowOrigins()) {
        origins.add(string(m, "corsPolicy.allowOrigins"));
      }
    }
    return new io.mizzen.proxy.route.CorsPolicy(origins,
        c.allowMethods() == null ? List.of() : c.allowMethods(),
        c.allowHeaders() == null ? List.of() : c.allowHeaders(),
        c.exposeHeaders() == null ? List.of() : c.exposeHeaders(),
        c.maxAge() == null ? -1 : c.maxAge().toSeconds(),
        Boolean.TRUE.equals(c.allowCredentials()));
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    Map<String, String> out = new HashMap<>(a);
    out.putAll(b);
    return out;
  }

  static HeaderOps ops(HeaderOperations o, Map<String, String> legacyAdd, List<String> legacyRemove) {
    Map<String, String> set = o == null || o.set() == null ? Map.of() : o.set();
    Map<String, String> add = new HashMap<>(o == null || o.add() == null ? Map.of() : o.add());
    if (legacyAdd != null) {
      add.putAll(legacyAdd);
    }
    List<String> remove = new ArrayList<>(o == null || o.remove() == null ? List.of() : o.remove());
    if (legacyRemove != null) {
      remove.addAll(legacyRemove);
    }
    if (set.isEmpty() && add.isEmpty() && remove.isEmpty()) {
      return HeaderOps.NONE;
    }
    return new HeaderOps(set, add, remove);
  }
}
