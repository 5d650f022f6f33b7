package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.filter.ContextKey;
import io.mizzen.proxy.filter.FilterStep;
import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.proxy.filter.RequestContext;
import io.mizzen.proxy.route.CorsPolicy;
import io.mizzen.proxy.route.Fault;
import io.mizzen.proxy.route.RequestMatch;
import io.mizzen.proxy.route.Route;
import io.mizzen.proxy.route.StringMatch;
import io.mizzen.spi.filter.LocalReply;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The built-in filters that act on the matched route, in the order Envoy runs them: fault delay,
 * fault abort, then CORS. Each is stateless; the route comes from the request context.
 */
final class RouteFilters {
  /** The route the request matched, set before the chain runs. */
  static final ContextKey<Route> ROUTE = ContextKey.of("route", Route.class);

  private RouteFilters() {}

  /** Applies the route's {@code rewrite}: the matched prefix (or whole path) and the authority. */
  static void rewrite(Route route, RequestContext ctx) {
    Route.Rewrite rewrite = route.rewrite();
    if (rewrite == null) {
      return;
    }
    if (rewrite.uri() != null) {
      String path = ctx.path();
      String replaced = rewrite.uri();
      for (RequestMatch m : route.matches()) {
        if (m.matches(ctx)) {
          if (m.uri() != null && m.uri().kind() == StringMatch.Kind.PREFIX) {
            replaced = rewrite.uri() + path.substring(Math.min(path.length(), m.uri().value().length()));
          }
          break;
        }
      }
      ctx.rewriteUri(replaced, ctx.query());
    }
    if (rewrite.authority() != null) {
      ctx.rewriteAuthority(rewrite.authority());
    }
  }

  private static boolean draw(double percent) {
    return percent >= 100 || (percent > 0 && ThreadLocalRandom.current().nextDouble() * 100 < percent);
  }

  /** {@code fault.delay}: holds a share of requests on the event loop, flagged DI. */
  static final class FaultDelay implements ProxyFilter {
    @Override
    public FilterStep onRequest(RequestContext request) {
      Fault fault = request.get(ROUTE).fault();
      if (fault == null || fault.delay() == null || !draw(fault.delayPercent())) {
        return null;
      }
      return new FilterStep.Delay(fault.delay(), ResponseFlag.DI);
    }
  }

  /** {@code fault.abort}: answers a share of requests with the configured status, flagged FI. */
  static final class FaultAbort implements ProxyFilter {
    @Override
    public FilterStep onRequest(RequestContext request) {
      Fault fault = request.get(ROUTE).fault();
      if (fault == null || fault.abortStatus() == 0 || !draw(fault.abortPercent())) {
        return null;
      }
      return new FilterStep.Reply(new LocalReply(fault.abortStatus(), Map.of(), "fault filter abort"),
          ResponseFlag.FI, "fault abort " + fault.abortStatus());
    }
  }

  /** {@code corsPolicy}: answers preflights and decorates responses to allowed origins. */
  static final class Cors implements ProxyFilter {
    @Override
    public FilterStep onRequest(RequestContext request) {
      Route route = request.get(ROUTE);
      CorsPolicy cors = route == null ? null : route.cors();
      if (cors == null) {
        return null;
      }
      String origin = request.header("origin");
      if (origin == null || !HttpMethod.OPTIONS.name().equals(request.method())
          || request.header("access-control-request-method") == null) {
        return null;
      }
      Map<String, String> headers = new HashMap<>();
      if (cors.allows(origin)) {
        headers.put("access-control-allow-origin", origin);
        if (!cors.allowMethods().isEmpty()) {
          headers.put("access-control-allow-methods", String.join(",", cors.allowMethods()));
        }
        if (!cors.allowHeaders().isEmpty()) {
          headers.put("access-control-allow-headers", String.join(",", cors.allowHeaders()));
        }
        if (cors.maxAgeSeconds() >= 0) {
          headers.put("access-control-max-age", Long.toString(cors.maxAgeSeconds()));
        }
        if (cors.allowCredentials()) {
          headers.put("access-control-allow-credentials", "true");
        }
      }
      return new FilterStep.Reply(new LocalReply(200, headers, ""), null, "cors preflight");
    }

    @Override
    public void onResponse(RequestContext request, HttpResponse response) {
      Route route = request.get(ROUTE);
      CorsPolicy cors = route == null ? null : route.cors();
      if (cors == null) {
        // Most routes have no CORS policy: no header lookup for them.
        return;
      }
      String origin = request.header("origin");
      if (origin == null || !cors.allows(origin)
          || response.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)) {
        return;
      }
      response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      if (cors.allowCredentials()) {
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      }
      if (!cors.exposeHeaders().isEmpty()) {
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, String.join(",", cors.exposeHeaders()));
      }
    }
  }
}
