package io.mizzen.proxy.route;

import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.networking.DestinationRule;
import io.mizzen.spi.config.networking.Gateway;
import io.mizzen.spi.config.networking.NetworkingModel;
import io.mizzen.spi.config.networking.Sidecar;
import io.mizzen.spi.config.networking.Subset;
import io.mizzen.spi.config.networking.VirtualService;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The services, clusters and virtual hosts one snapshot yields. Clusters are built on demand
 * (host, subset, port) and shared between the routes that name them.
 */
final class MeshModel {
  private final ProxyOptions options;
  private final Map<String, SnapshotCompiler.Service> services;
  private final Map<String, Endpoint> previousEndpoints;
  private final Map<String, Endpoint> endpoints = new HashMap<>();
  private final Map<String, Cluster> clusters = new HashMap<>();
  private final List<VirtualHost> virtualHosts = new ArrayList<>();
  private final List<RouteTable.PassthroughHost> passthrough = new ArrayList<>();
  private final List<MeshL4Route> meshL4 = new ArrayList<>();
  private final Map<String, DestinationRule> rules = new HashMap<>();
  private final Map<DestinationRule, String> ruleNames = new java.util.IdentityHashMap<>();
  private final java.util.Set<io.mizzen.proxy.tls.UpstreamTls> upstreamTls = new java.util.HashSet<>();
  private final java.util.Set<String> gateways = new java.util.HashSet<>();
  /** Each Gateway's servers' host entries, for which VirtualService hosts it may serve. */
  private final Map<String, List<io.mizzen.proxy.gateway.GatewayServer>> gatewayHosts = new HashMap<>();
  private RouteTable.UnknownHosts unknownHosts = RouteTable.UnknownHosts.ALLOW_ANY;
  private final GatewayPlan plan = new GatewayPlan();
  private final String version;

  private MeshModel(ProxySnapshot snapshot, ProxyOptions options, Map<String, Endpoint> previousEndpoints) {
    this.options = options;
    this.gateways.addAll(options.gateways());
    this.services = SnapshotCompiler.services(snapshot.instances());
    this.previousEndpoints = previousEndpoints;
    this.version = snapshot.version();
  }

  static MeshModel of(ProxySnapshot snapshot, ProxyOptions options, Map<String, Endpoint> previousEndpoints) {
    MeshModel model = new MeshModel(snapshot, options, previousEndpoints);
    model.build(snapshot);
    return model;
  }

  private void build(ProxySnapshot snapshot) {
    List<Resource> virtualServices = new ArrayList<>();
    for (Resource r : snapshot.resources()) {
      if (!NetworkingModel.GROUP.equals(r.group())) {
        continue;
      }
      switch (r.kind()) {
        case "DestinationRule": {
          DestinationRule dr = bound(r, NetworkingModel.destinationRule(r));
          if (rules.putIfAbsent(fqdn(dr.host(), r.namespace()), dr) == null) {
            ruleNames.put(dr, r.namespace() + "/" + r.name());
          }
          break;
        }
        case "Sidecar": {
          Sidecar sc = bound(r, NetworkingModel.sidecar(r));
          if (r.namespace().equals(options.namespace()) && sc.workloadSelector() == null && sc.outboundTrafficPolicy() != null
              && sc.outboundTrafficPolicy().mode() != null) {
            unknownHosts = sc.outboundTrafficPolicy().mode() == Sidecar.OutboundTrafficPolicy.Mode.REGISTRY_ONLY
                ? RouteTable.UnknownHosts.REGISTRY_ONLY : RouteTable.UnknownHosts.ALLOW_ANY;
          }
          break;
        }
        case "VirtualService":
          virtualServices.add(r);
          break;
        case "ServiceEntry":
          passthroughHosts(r);
          break;
        case "Gateway": {
          Gateway gw = bound(r, NetworkingModel.gateway(r));
          Map<String, String> selector = gw.selector() == null ? Map.of() : gw.selector();
          if (!options.gateways().contains("mesh") && (options.gateways().contains(r.name()) || !selector.isEmpty()
              && options.sourceLabels().entrySet().containsAll(selector.entrySet()))) {
            gateways.add(r.name());
            plan.gateway(r, gw);
            List<io.mizzen.proxy.gateway.GatewayServer> hosts = new ArrayList<>();
            for (io.mizzen.spi.config.networking.Server server : gw.servers()) {
              hosts.add(io.mizzen.proxy.gateway.GatewayServer.of(r.name(), r.namespace(), r.name(), 0, "HTTP",
                  server.hosts(), null));
            }
            gatewayHosts.put(r.name(), hosts);
          }
          break;
        }
        default:
          break;
      }
    }
    for (Resource r : virtualServices) {
      VirtualService vs = bound(r, NetworkingModel.virtualService(r));
      List<String> vsGateways = vs.gateways() == null || vs.gateways().isEmpty()
          ? List.of("mesh") : RouteCompiler.shortGateways(vs.gateways());
      List<String> serving = vsGateways.stream().filter(gateways::contains).toList();
      if (serving.isEmpty()) {
        continue;
      }
      String where = "VirtualService " + r.namespace() + "/" + r.name() + describe(r);
      List<String> atGateways = serving.stream().filter(g -> !g.equals("mesh")).toList();
      GatewayPlan.Destinations l4 = (d, weight, field) ->
          destination(d, weight, HeaderOps.NONE, HeaderOps.NONE, r.namespace(), where, field);
      if (!atGateways.isEmpty() && vs.tcp() != null && !vs.tcp().isEmpty()) {
        plan.tcp(r.name() + "." + r.namespace(), r.namespace(), where, atGateways, vs.hosts(), vs.tcp(), l4);
      }
      if (!atGateways.isEmpty() && vs.tls() != null && !vs.tls().isEmpty()) {
        plan.tls(r.name() + "." + r.namespace(), r.namespace(), where, atGateways, vs.hosts(), vs.tls(), l4);
      }
      if (serving.contains("mesh") && (vs.tcp() != null && !vs.tcp().isEmpty() || vs.tls() != null && !vs.tls().isEmpty())) {
        // A sidecar's tcp/tls rules: for its captured connections that are not HTTP.
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (String h : vs.hosts()) {
          SnapshotCompiler.Service service = services.get(fqdn(h, r.namespace()));
          if (service != null) {
            service.ports().forEach(p -> ports.add(p.port()));
          }
        }
        String name = r.name() + "." + r.namespace();
        if (vs.tcp() != null) {
          GatewayPlan.compileTcp(name, where, List.of("mesh"), vs.tcp(), l4).forEach(rt -> meshL4.add(new MeshL4Route(ports, rt)));
        }
        if (vs.tls() != null) {
          GatewayPlan.compileTls(name, where, List.of("mesh"), vs.tls(), l4).forEach(rt -> meshL4.add(new MeshL4Route(ports, rt)));
        }
      }
      if (vs.http() == null || vs.http().isEmpty()) {
        continue;
      }
      RouteCompiler compiler = new RouteCompiler(where,
          (d, weight, req, resp, field) -> destination(d, weight, req, resp, r.namespace(), where, field));
      List<Route> routes = compiler.compile(vs.http(), r.name() + "." + r.namespace());
      List<String> domains = new ArrayList<>();
      for (String h : vs.hosts()) {
        if (!serving.contains("mesh") && !exposed(h, r.namespace(), serving)) {
          // A gateway serves only the hosts its Gateway servers expose.
          continue;
        }
        domains.addAll(domains(h, r.namespace()));
      }
      virtualHosts.add(new VirtualHost(r.namespace() + "/" + r.name(), domains, routes));
      if (!atGateways.isEmpty()) {
        plan.http(r.namespace() + "/" + r.name(), r.namespace(), atGateways, vs.hosts(), routes, h -> domains(h, r.namespace()));
      }
    }
    if (!gateways.contains("mesh")) {
      // A gateway exposes only what its Gateways' VirtualServices route; unknown hosts get 404.
      unknownHosts = RouteTable.UnknownHosts.NOT_FOUND;
      if (plan.autoPassthrough()) {
        plan.sniClusters(sniClusters());
      }
      return;
    }
    for (SnapshotCompiler.Service s : services.values()) {
      List<ServicePort> ports = s.ports();
      DestinationRule rule = rules.get(s.hostname());
      for (int i = 0; i < ports.size(); i++) {
        int port = ports.get(i).port();
        String portName = ports.get(i).name();
        ClusterPolicy policy = ClusterPolicies.resolve(rule, ruleNames.get(rule), s.hostname(), null, port, portName);
        Cluster c = cluster(s.hostname(), null, port, policy, Map.of(),
            PortProtocol.http2(ports.get(i)) || ClusterPolicies.upgradesToHttp2(rule, null, port, portName));
        List<String> domains = new ArrayList<>();
        for (String d : s.domains(options.namespace())) {
          domains.add(d + ":" + port);
          if (i == 0 || port == 80) {
            domains.add(d);
          }
        }
        Destination dest = new Destination(c, c.name(), 100, HeaderOps.NONE, HeaderOps.NONE);
        virtualHosts.add(new VirtualHost(s.hostname() + ":" + port, domains, List.of(Route.to("default", dest))));
      }
    }
  }

  /**
   * What AUTO_PASSTHROUGH servers reach, as Istio's {@code sni-dnat} listener does: every service
   * port of discovery, whole and by each subset of its DestinationRule, keyed by the SNI a
   * sidecar sends for it, {@code outbound_.<port>_.<subset>_.<host>} (Envoy's cluster name with
   * {@code _.} for {@code |}; the subset empty for the whole service).
   */
  private Map<String, Destination> sniClusters() {
    Map<String, Destination> out = new HashMap<>();
    for (SnapshotCompiler.Service s : services.values()) {
      DestinationRule rule = rules.get(s.hostname());
      List<Subset> subsets = new ArrayList<>();
      subsets.add(null);
      if (rule != null && rule.subsets() != null) {
        subsets.addAll(rule.subsets());
      }
      for (ServicePort p : s.ports()) {
        for (Subset subset : subsets) {
          String subsetName = subset == null ? null : subset.name();
          ClusterPolicy policy = ClusterPolicies.resolve(rule, ruleNames.get(rule), s.hostname(), subset, p.port(), p.name());
          Cluster c = cluster(s.hostname(), subsetName, p.port(), policy, ClusterPolicies.labels(subset),
              PortProtocol.http2(p) || ClusterPolicies.upgradesToHttp2(rule, subset, p.port(), p.name()));
          String sni = ("outbound_." + p.port() + "_." + (subsetName == null ? "" : subsetName) + "_." + s.hostname())
              .toLowerCase(java.util.Locale.ROOT);
          out.put(sni, new Destination(c, c.name(), 100, HeaderOps.NONE, HeaderOps.NONE));
        }
      }
    }
    return out;
  }

  /**
   * The hosts of a ServiceEntry with {@code resolution: NONE} (or none given): discovery gives them no endpoints
   * (the request's own destination is the endpoint), so they pass through as under ALLOW_ANY, on
   * the entry's ports, even when the outboundTrafficPolicy is REGISTRY_ONLY. The config was
   * validated before it was pushed; what is not a list or a number here is left out.
   */
  private void passthroughHosts(Resource r) {
    Map<String, Object> spec = r.spec();
    Object resolution = spec.get("resolution");
    if (resolution != null && !"NONE".equals(resolution)) {
      return; // NONE is Istio's default, as in its external/*.yaml samples
    }
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    if (spec.get("ports") instanceof List<?> list) {
      for (Object p : list) {
        if (p instanceof Map<?, ?> port && port.get("number") instanceof Number n) {
          ports.add(n.intValue());
        }
      }
    }
    if (spec.get("hosts") instanceof List<?> hosts) {
      for (Object h : hosts) {
        passthrough.add(new RouteTable.PassthroughHost(String.valueOf(h), ports, r.namespace() + "/" + r.name()));
      }
    }
  }

  /** The mesh VirtualServices' tcp/tls rules, in order, for a sidecar's captured non-HTTP connections. */
  List<MeshL4Route> meshL4() {
    return List.copyOf(meshL4);
  }

  /** Hosts that pass through to where they addressed whatever the outboundTrafficPolicy. */
  List<RouteTable.PassthroughHost> passthrough() {
    return List.copyOf(passthrough);
  }

  /** The authorities a VirtualService host answers to: a service's names (with its ports), else the host itself. */
  private List<String> domains(String h, String namespace) {
    SnapshotCompiler.Service service = services.get(fqdn(h, namespace));
    if (service == null) {
      return List.of(h);
    }
    List<String> domains = new ArrayList<>();
    for (String d : service.domains(options.namespace())) {
      domains.add(d);
      for (ServicePort p : service.ports()) {
        domains.add(d + ":" + p.port());
      }
    }
    return domains;
  }

  /** The gateway listeners by Gateway server port (empty for a sidecar). */
  Map<Integer, io.mizzen.proxy.gateway.GatewayPort> gatewayPorts() {
    return plan.ports(version);
  }

  private Destination destination(io.mizzen.spi.config.networking.Destination d, int weight, HeaderOps req,
      HeaderOps resp, String namespace, String where, String field) {
    String fq = fqdn(d.host(), namespace);
    SnapshotCompiler.Service service = services.get(fq);
    String subsetName = d.subset();
    int port = 0;
    String portName = "";
    ServicePort servicePort = null;
    if (service != null) {
      List<ServicePort> ports = service.ports();
      if (d.port() != null && d.port().number() != null) {
        port = d.port().number();
      } else if (d.port() != null && d.port().name() != null) {
        for (ServicePort p : ports) {
          if (p.name().equals(d.port().name())) {
            port = p.port();
          }
        }
        if (port == 0) {
          throw new IllegalArgumentException(where + ": " + field + ".port.name: service " + fq + " has no port named '"
              + d.port().name() + "'");
        }
      } else if (!ports.isEmpty()) {
        port = ports.get(0).port();
      }
      for (ServicePort p : ports) {
        if (p.port() == port) {
          portName = p.name();
          servicePort = p;
        }
      }
    } else if (d.port() != null && d.port().number() != null) {
      port = d.port().number();
    }
    String name = "outbound|" + port + "|" + (subsetName == null ? "" : subsetName) + "|" + fq;
    if (service == null) {
      return new Destination(null, name, weight, req, resp);
    }
    DestinationRule rule = rules.get(fq);
    Subset subset = subsetName == null ? null : ClusterPolicies.subset(rule, subsetName);
    if (subsetName != null && subset == null) {
      // As in Istio: the route is accepted, but the missing subset has no endpoints (503).
      return new Destination(null, name, weight, req, resp);
    }
    Cluster c = cluster(fq, subsetName, port, ClusterPolicies.resolve(rule, ruleNames.get(rule), fq, subset, port, portName),
        ClusterPolicies.labels(subset), PortProtocol.http2(servicePort) || ClusterPolicies.upgradesToHttp2(rule, subset, port, portName));
    return new Destination(c, name, weight, req, resp);
  }

  /**
   * Whether one of the Gateways' servers exposes the host to a VirtualService of {@code namespace}
   * (exactly, by wildcard suffix, or {@code *}; a server host's {@code ns/} part admitting it).
   */
  private boolean exposed(String host, String namespace, List<String> serving) {
    for (String g : serving) {
      List<io.mizzen.proxy.gateway.GatewayServer> servers = gatewayHosts.get(g);
      if (servers == null) {
        return true; // a gateway named by options alone, without a Gateway resource: any host
      }
      for (io.mizzen.proxy.gateway.GatewayServer s : servers) {
        if (host.equals("*") || s.exposes(host, namespace)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The TLS origination settings of the clusters built (DestinationRule tls SIMPLE and MUTUAL). */
  java.util.Set<io.mizzen.proxy.tls.UpstreamTls> upstreamTls() {
    return java.util.Set.copyOf(upstreamTls);
  }

  /** The gateways this proxy serves: its own names plus the Gateways selecting its labels. */
  java.util.Set<String> gateways() {
    return java.util.Set.copyOf(gateways);
  }

  /** The fully qualified name of a host written relative to a namespace. */
  private String fqdn(String host, String namespace) {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    if (services.containsKey(h) || h.contains("*")) {
      return h;
    }
    if (!h.contains(".")) {
      return h + "." + namespace + ".svc.cluster.local";
    }
    if (services.containsKey(h + ".svc.cluster.local")) {
      return h + ".svc.cluster.local";
    }
    return h;
  }

  private static String describe(Resource r) {
    return r.location() == null ? "" : " (" + r.location().origin() + ":" + r.location().line() + ")";
  }

  private static <T> T bound(Resource r, Bound<T> b) {
    if (!b.valid()) {
      throw new IllegalArgumentException(r.kind() + " " + r.namespace() + "/" + r.name() + describe(r) + ": "
          + b.errors().stream().map(Object::toString).collect(java.util.stream.Collectors.joining("; ")));
    }
    return b.value();
  }

  /**
   * The cluster for a host, subset and port, built once per snapshot.
   *
   * @param port the service port, 0 for the service's only (or first) port
   * @param http2 whether the endpoints are spoken to in HTTP/2 (h2c)
   * @return the cluster, or {@code null} when discovery knows no such host
   */
  Cluster cluster(String host, String subset, int port, ClusterPolicy policy, Map<String, String> subsetLabels,
      boolean http2) {
    SnapshotCompiler.Service service = services.get(host);
    if (service == null) {
      return null;
    }
    if (port == 0) {
      List<ServicePort> ports = service.ports();
      port = ports.isEmpty() ? 80 : ports.get(0).port();
    }
    String name = "outbound|" + port + "|" + (subset == null ? "" : subset) + "|" + host;
    Cluster existing = clusters.get(name);
    if (existing != null) {
      return existing;
    }
    List<Endpoint> list = new ArrayList<>();
    for (ServiceInstance i : service.instances()) {
      if (!i.labels().entrySet().containsAll(subsetLabels.entrySet())) {
        continue;
      }
      for (ServicePort p : i.ports()) {
        if (p.port() == port) {
          list.add(endpoint(i.address(), p.targetPort(), i.labels(),
              "ns/" + i.namespace() + "/sa/" + i.serviceAccount()));
        }
      }
    }
    Cluster c = Cluster.of(name, policy, list, http2);
    clusters.put(name, c);
    if (policy.originate() != null) {
      upstreamTls.add(policy.originate());
    }
    return c;
  }

  private Endpoint endpoint(String address, int port, Map<String, String> labels, String identity) {
    String key = address + ":" + port;
    Endpoint e = endpoints.get(key);
    if (e == null) {
      Endpoint old = previousEndpoints.get(key);
      e = old != null && old.labels().equals(labels) && java.util.Objects.equals(old.identity(), identity) ? old
          : Endpoint.of(address, port, labels, identity);
      endpoints.put(key, e);
    }
    return e;
  }

  List<VirtualHost> virtualHosts() {
    return virtualHosts;
  }

  RouteTable.UnknownHosts unknownHosts() {
    return unknownHosts;
  }

  Map<String, Endpoint> endpoints() {
    return Map.copyOf(endpoints);
  }

  void unknownHosts(RouteTable.UnknownHosts policy) {
    this.unknownHosts = policy;
  }
}
