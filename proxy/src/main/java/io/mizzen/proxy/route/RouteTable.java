package io.mizzen.proxy.route;

import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.filter.RequestContext;
import java.util.List;

/**
 * The immutable routing view of one config snapshot for one listener: virtual hosts by name,
 * then routes in order. A new snapshot compiles a new table, swapped in atomically; requests in
 * flight finish on the table they started with.
 */
public interface RouteTable {

  /** What to do with a host no virtual host claims (Istio's {@code outboundTrafficPolicy}). */
  enum UnknownHosts {
    /** Pass the request through to the host and port it addressed. */
    ALLOW_ANY,
    /** Refuse it with 502. */
    REGISTRY_ONLY,
    /** Answer 404 NR, as a gateway does for hosts none of its servers route. */
    NOT_FOUND
  }

  /**
   * A table over the given virtual hosts.
   *
   * @param version the snapshot version
   * @param hosts the virtual hosts, in priority order for equally specific domains
   * @param unknownHosts what to do when no virtual host claims the authority
   */
  static RouteTable of(String version, List<VirtualHost> hosts, UnknownHosts unknownHosts) {
    return new DomainRouteTable(version, hosts, unknownHosts, List.of());
  }

  /**
   * As {@link #of(String, List, UnknownHosts)}, with hosts that pass through to the host and port
   * they addressed even under REGISTRY_ONLY: ServiceEntries with {@code resolution: NONE}.
   */
  static RouteTable of(String version, List<VirtualHost> hosts, UnknownHosts unknownHosts, List<PassthroughHost> passthrough) {
    return new DomainRouteTable(version, hosts, unknownHosts, passthrough);
  }

  /**
   * A host a ServiceEntry with {@code resolution: NONE} declares: requests to it (on one of its
   * ports, when it lists any) go to the host and port they addressed, as Istio's sidecar sends
   * them to their original destination.
   *
   * @param host an exact host or a {@code *.suffix} wildcard, lower case
   * @param ports the ports it allows; empty for any
   * @param entry {@code namespace/name} of the ServiceEntry, for the logs
   */
  record PassthroughHost(String host, java.util.Set<Integer> ports, String entry) {
    public PassthroughHost {
      host = host.toLowerCase(java.util.Locale.ROOT);
      ports = java.util.Set.copyOf(ports);
    }

    boolean allows(String requestHost, int port) {
      boolean named = host.equals("*") || host.startsWith("*") ? requestHost.endsWith(host.substring(1))
          : host.equals(requestHost);
      return named && (ports.isEmpty() || ports.contains(port));
    }
  }

  /** A table sending everything to one cluster (an inbound listener's local app). */
  static RouteTable single(String version, String name, Cluster cluster) {
    Destination d = new Destination(cluster, cluster.name(), 100, HeaderOps.NONE, HeaderOps.NONE);
    VirtualHost host = new VirtualHost(name, List.of("*"), List.of(Route.to(name, d)));
    return new DomainRouteTable(version, List.of(host), UnknownHosts.REGISTRY_ONLY, List.of());
  }

  /** The snapshot version this table was compiled from. */
  String version();

  /** The virtual hosts, for {@code proxy-config routes}. */
  List<VirtualHost> virtualHosts();

  /** Routes a request: the first matching route of the virtual host claiming its authority. */
  RouteResult route(RequestContext request);
}
