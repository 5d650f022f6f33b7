package io.mizzen.proxy.route;

import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link ProxySnapshot} into the route tables of a proxy's listeners. Runs off the
 * request path, once per push; the result is immutable and swapped in whole.
 */
public final class SnapshotCompiler {
  private SnapshotCompiler() {}

  /**
   * The compiled state of one snapshot.
   *
   * @param version the snapshot's version, empty before the first
   * @param ready whether a snapshot has been applied
   * @param outbound the outbound listener's table
   * @param inbound the inbound listener's table
   * @param inboundCluster the local app
   * @param endpoints every endpoint by {@code host:port}, carried to the next compile
   * @param gateways the gateways this proxy serves ({@code mesh} for a sidecar), for matches
   * @param gatewayPorts the listeners of the Gateways this proxy serves, by server port
   * @param upstreamTls the TLS origination settings its clusters use, whose contexts must be
   *     prepared before it goes in force
   */
  public record Compiled(String version, boolean ready, RouteTable outbound, RouteTable inbound,
      Cluster inboundCluster, Map<String, Endpoint> endpoints, java.util.Set<String> gateways,
      Map<Integer, io.mizzen.proxy.gateway.GatewayPort> gatewayPorts,
      java.util.Set<io.mizzen.proxy.tls.UpstreamTls> upstreamTls, List<MeshL4Route> meshL4,
      Map<Integer, String> localProtocols) {}

  /** The state before any snapshot: unknown hosts pass through, the inbound goes to the app. */
  public static Compiled empty(ProxyOptions options) {
    Cluster app = localApp(options);
    RouteTable inbound = app == null ? RouteTable.of("", List.of(), RouteTable.UnknownHosts.REGISTRY_ONLY)
        : RouteTable.single("", "inbound", app);
    return new Compiled("", false, RouteTable.of("", List.of(), RouteTable.UnknownHosts.ALLOW_ANY), inbound, app, Map.of(),
        options.gateways(), Map.of(), java.util.Set.of(), List.of(), Map.of());
  }

  private static Cluster localApp(ProxyOptions options) {
    if (options.inboundPort() < 0) {
      return null;
    }
    int port = options.inboundAppPort();
    return Cluster.of("inbound|" + port + "||", ClusterPolicy.DEFAULT,
        List.of(Endpoint.of("127.0.0.1", port, Map.of())));
  }

  /**
   * Compiles a snapshot.
   *
   * @throws IllegalArgumentException naming the resource and field that cannot be compiled
   */
  public static Compiled compile(ProxySnapshot snapshot, ProxyOptions options, Compiled previous, Cluster inboundCluster) {
    MeshModel model = MeshModel.of(snapshot, options, previous.endpoints());
    if (inboundCluster != null && inboundCluster.http2() != localAppSpeaksHttp2(snapshot.instances(), options)) {
      inboundCluster = Cluster.of(inboundCluster.name(), inboundCluster.policy(), inboundCluster.endpoints(),
          !inboundCluster.http2());
    }
    List<VirtualHost> hosts = model.virtualHosts();
    RouteTable outbound = RouteTable.of(snapshot.version(), hosts, model.unknownHosts(), model.passthrough());
    RouteTable inbound = inboundCluster == null
        ? RouteTable.of(snapshot.version(), List.of(), RouteTable.UnknownHosts.REGISTRY_ONLY)
        : RouteTable.single(snapshot.version(), "inbound", inboundCluster);
    return new Compiled(snapshot.version(), true, outbound, inbound, inboundCluster, model.endpoints(), model.gateways(),
        model.gatewayPorts(), model.upstreamTls(), model.meshL4(), localProtocols(snapshot.instances(), options));
  }

  /**
   * Whether the local app speaks HTTP/2, as Istio picks the inbound's protocol: by this
   * workload's (namespace and labels) service port that targets the app port, else its only port.
   */
  static boolean localAppSpeaksHttp2(List<ServiceInstance> instances, ProxyOptions options) {
    Map<Integer, ServicePort> ports = new LinkedHashMap<>();
    for (ServiceInstance i : own(instances, options)) {
      for (ServicePort p : i.ports()) {
        if (p.targetPort() == options.inboundAppPort()) {
          return PortProtocol.http2(p);
        }
        ports.putIfAbsent(p.port(), p);
      }
    }
    return ports.size() == 1 && PortProtocol.http2(ports.values().iterator().next());
  }

  /**
   * This workload's (namespace and labels) service ports by the port the app listens on, each as
   * the inbound takes it ({@link PortProtocol#inbound}: {@code "http"} or {@code "tcp"}); ports
   * whose protocol nothing says are left out.
   */
  static Map<Integer, String> localProtocols(List<ServiceInstance> instances, ProxyOptions options) {
    Map<Integer, String> out = new java.util.HashMap<>();
    for (ServiceInstance i : own(instances, options)) {
      for (ServicePort p : i.ports()) {
        String kind = PortProtocol.inbound(p);
        if (kind != null) {
          out.putIfAbsent(p.targetPort(), kind);
        }
      }
    }
    return Map.copyOf(out);
  }

  /** The instances of this workload: its namespace and exactly its labels. */
  private static List<ServiceInstance> own(List<ServiceInstance> instances, ProxyOptions options) {
    if (options.sourceLabels().isEmpty()) {
      return List.of();
    }
    return instances.stream().filter(i -> i.namespace().equals(options.namespace())
        && i.labels().equals(options.sourceLabels())).toList();
  }

  /** Services by fully qualified host name, each with its ports and instances. */
  static Map<String, Service> services(List<ServiceInstance> instances) {
    Map<String, Service> out = new LinkedHashMap<>();
    for (ServiceInstance i : instances) {
      out.computeIfAbsent(i.hostname(), h -> new Service(h, i.service(), i.namespace(), new ArrayList<>())).instances().add(i);
    }
    return out;
  }

  /**
   * One service as discovery knows it.
   *
   * @param hostname fully qualified
   * @param name short name
   * @param namespace its namespace
   * @param instances its endpoints
   */
  record Service(String hostname, String name, String namespace, List<ServiceInstance> instances) {
    /** The distinct service ports, first seen first. */
    List<ServicePort> ports() {
      Map<Integer, ServicePort> ports = new LinkedHashMap<>();
      for (ServiceInstance i : instances) {
        for (ServicePort p : i.ports()) {
          ports.putIfAbsent(p.port(), p);
        }
      }
      return new ArrayList<>(ports.values());
    }

    /** Names the service answers to from a client in {@code clientNamespace}. */
    List<String> domains(String clientNamespace) {
      List<String> d = new ArrayList<>();
      d.add(hostname);
      if (namespace.equals(clientNamespace)) {
        d.add(name);
      }
      d.add(name + "." + namespace);
      d.add(name + "." + namespace + ".svc");
      return d;
    }
  }
}
