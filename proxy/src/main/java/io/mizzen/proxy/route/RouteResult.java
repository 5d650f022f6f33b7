package io.mizzen.proxy.route;

import io.mizzen.proxy.access.ResponseFlag;

/**
 * The outcome of routing a request: a route, or the local answer when there is none.
 *
 * @param route the matched route, or {@code null}
 * @param status the local answer's status when no route: 404 (NR) or 502 (REGISTRY_ONLY)
 * @param flag the response flag of the local answer
 * @param detail why there is no route, naming the host and path
 */
public record RouteResult(Route route, int status, ResponseFlag flag, String detail) {
  public static RouteResult of(Route route) {
    return new RouteResult(route, 0, null, null);
  }

  public static RouteResult none(int status, ResponseFlag flag, String detail) {
    return new RouteResult(null, status, flag, detail);
  }
}
