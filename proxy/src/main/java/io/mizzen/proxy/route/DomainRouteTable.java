package io.mizzen.proxy.route;

import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.filter.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@link RouteTable} with exact domains in a hash map and wildcard domains by longest suffix. */
final class DomainRouteTable implements RouteTable {
  private final String version;
  private final List<VirtualHost> hosts;
  private final Map<String, VirtualHost> exact = new HashMap<>();
  private final List<Map.Entry<String, VirtualHost>> suffixes = new ArrayList<>();
  private final VirtualHost catchAll;
  private final UnknownHosts unknownHosts;
  private final List<PassthroughHost> passthrough;

  DomainRouteTable(String version, List<VirtualHost> hosts, UnknownHosts unknownHosts, List<PassthroughHost> passthrough) {
    this.version = version;
    this.hosts = List.copyOf(hosts);
    this.unknownHosts = unknownHosts;
    this.passthrough = List.copyOf(passthrough);
    VirtualHost star = null;
    for (VirtualHost vh : hosts) {
      for (String raw : vh.domains()) {
        String d = raw.toLowerCase(Locale.ROOT);
        if (d.equals("*")) {
          star = star == null ? vh : star;
        } else if (d.startsWith("*")) {
          suffixes.add(Map.entry(d.substring(1), vh));
        } else {
          exact.putIfAbsent(d, vh);
        }
      }
    }
    suffixes.sort((a, b) -> Integer.compare(b.getKey().length(), a.getKey().length()));
    this.catchAll = star;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public List<VirtualHost> virtualHosts() {
    return hosts;
  }

  @Override
  public RouteResult route(RequestContext request) {
    String authority = request.authority().toLowerCase(Locale.ROOT);
    VirtualHost vh = find(authority);
    if (vh == null) {
      String host = request.host().toLowerCase(Locale.ROOT);
      if (!host.equals(authority)) {
        vh = find(host);
      }
    }
    if (vh == null) {
      return unknownHost(request);
    }
    for (Route r : vh.routes()) {
      if (r.matches(request)) {
        return RouteResult.of(r);
      }
    }
    return RouteResult.none(404, ResponseFlag.NR,
        "no route matched " + request.method() + " " + request.path() + " in virtual host " + vh.name());
  }

  private VirtualHost find(String name) {
    VirtualHost vh = exact.get(name);
    if (vh != null) {
      return vh;
    }
    for (Map.Entry<String, VirtualHost> s : suffixes) {
      if (name.endsWith(s.getKey())) {
        return s.getValue();
      }
    }
    return catchAll;
  }

  private boolean declaredPassthrough(String host, int port) {
    for (PassthroughHost p : passthrough) {
      if (p.allows(host, port)) {
        return true;
      }
    }
    return false;
  }

  private RouteResult unknownHost(RequestContext request) {
    String authority = request.authority();
    if (authority.isEmpty()) {
      return RouteResult.none(404, ResponseFlag.NR, "no route: the request has no Host header");
    }
    if (unknownHosts == UnknownHosts.NOT_FOUND) {
      return RouteResult.none(404, ResponseFlag.NR, "no virtual host for '" + authority + "' at this gateway");
    }
    String host = request.host();
    int port = 80;
    if (authority.length() > host.length() + 1) {
      try {
        port = Integer.parseInt(authority.substring(host.length() + 1));
      } catch (NumberFormatException e) {
        return RouteResult.none(400, ResponseFlag.NR, "bad port in Host header '" + authority + "'");
      }
    }
    if (unknownHosts == UnknownHosts.REGISTRY_ONLY && !declaredPassthrough(host.toLowerCase(Locale.ROOT), port)) {
      return RouteResult.none(502, ResponseFlag.NR,
          "host '" + authority + "' is not in the service registry and outboundTrafficPolicy is REGISTRY_ONLY");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Endpoint endpoint;
    try {
      endpoint = Endpoint.of(host, port, Map.of());
    } catch (IllegalArgumentException e) {
      return RouteResult.none(400, ResponseFlag.NR, e.getMessage());
    }
    Cluster passthrough = Cluster.passthrough(endpoint);
    return RouteResult.of(Route.to("allow_any",
        new Destination(passthrough, passthrough.name(), 100, HeaderOps.NONE, HeaderOps.NONE)));
  }
}
