package io.mizzen.proxy.route;

import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.Endpoint;
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
  private RouteTable.UnknownHosts unknownHosts = RouteTable.UnknownHosts.ALLOW_ANY;

  private MeshModel(ProxySnapshot snapshot, ProxyOptions options, Map<String, Endpoint> previousEndpoints) {
    this.options = options;
    this.services = SnapshotCompiler.services(snapshot.instances());
    this.previousEndpoints = previousEndpoints;
  }

  static MeshModel of(ProxySnapshot snapshot, ProxyOptions options, Map<String, Endpoint> previousEndpoints) {
    MeshModel model = new MeshModel(snapshot, options, previousEndpoints);
    model.build(snapshot);
    return model;
  }

  private void build(ProxySnapshot snapshot) {
    for (SnapshotCompiler.Service s : services.values()) {
      List<ServicePort> ports = s.ports();
      for (int i = 0; i < ports.size(); i++) {
        int port = ports.get(i).port();
        Cluster c = cluster(s.hostname(), null, port, ClusterPolicy.DEFAULT, Map.of());
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
   * The cluster for a host, subset and port, built once per snapshot.
   *
   * @param port the service port, 0 for the service's only (or first) port
   * @return the cluster, or {@code null} when discovery knows no such host
   */
  Cluster cluster(String host, String subset, int port, ClusterPolicy policy, Map<String, String> subsetLabels) {
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
          list.add(endpoint(i.address(), p.targetPort(), i.labels()));
        }
      }
    }
    Cluster c = Cluster.of(name, policy, list);
    clusters.put(name, c);
    return c;
  }

  private Endpoint endpoint(String address, int port, Map<String, String> labels) {
    String key = address + ":" + port;
    Endpoint e = endpoints.get(key);
    if (e == null) {
      Endpoint old = previousEndpoints.get(key);
      e = old != null && old.labels().equals(labels) ? old : Endpoint.of(address, port, labels);
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
