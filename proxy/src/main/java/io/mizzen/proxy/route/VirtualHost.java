package io.mizzen.proxy.route;

import java.util.List;

/**
 * The routes for a set of host names (Envoy's virtual host): one VirtualService's {@code hosts},
 * or the default route of a service no VirtualService covers.
 *
 * @param name such as {@code reviews.default.svc.cluster.local:9080}
 * @param domains host names, with or without port, possibly {@code *.suffix} or {@code *}
 * @param routes in order; the first matching route wins
 */
public record VirtualHost(String name, List<String> domains, List<Route> routes) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
