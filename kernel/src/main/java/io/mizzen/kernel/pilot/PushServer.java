package io.mizzen.kernel.pilot;

import io.mizzen.kernel.config.ConfigSnapshot;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.discovery.MeshDiscovery;
import io.mizzen.kernel.discovery.WorkloadLeases;
import io.mizzen.kernel.discovery.WorkloadRegistration;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.wire.pilot.Deregistration;
import io.mizzen.spi.wire.pilot.DeregistrationReply;
import io.mizzen.spi.wire.pilot.Item;
import io.mizzen.spi.wire.pilot.PilotService;
import io.mizzen.spi.wire.pilot.PushRequest;
import io.mizzen.spi.wire.pilot.PushSnapshot;
import io.mizzen.spi.wire.pilot.Registration;
import io.mizzen.spi.wire.pilot.RegistrationReply;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pilot's gRPC service. Every change of config or discovery arms one debounce timer; when it
 * fires, each proxy gets the delta between what it acknowledged and what now applies to it
 * ({@link ProxyScope}), at most one version in flight per proxy: a change that arrives meanwhile
 * is sent once the proxy answers. All connection state lives on one context.
 */
final class PushServer extends PilotService implements PushStatus {
  /** The NACK prefix by which a proxy says it lost track of the base version: resend in full. */
  static final String BASE_MISMATCH = "base version mismatch";
  private static final System.Logger LOG = System.getLogger(PushServer.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final ConfigStore store;
  private final MeshDiscovery discovery;
  private final WorkloadLeases leases;
  private final String rootNamespace;
  private final long debounceMillis;
  private final List<ProxyConnection> connections = new CopyOnWriteArrayList<>();
  private final Map<ResourceKey, Encoded> encoded = new ConcurrentHashMap<>();
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private ConfigSnapshot config;
  private List<ServiceInstance> instances;
  private long generation;
  private boolean armed;

  private record Encoded(Resource resource, String json) {}

  PushServer(Vertx vertx, Context context, ConfigStore store, MeshDiscovery discovery, WorkloadLeases leases,
      String rootNamespace, Duration debounce) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.discovery = discovery;
    this.leases = leases;
    this.rootNamespace = rootNamespace;
    this.debounceMillis = Math.max(1, debounce.toMillis());
    this.config = store.snapshot();
    this.instances = discovery.instances();
    this.generation = 1;
    unsubscribe.add(store.onChange(s -> context.runOnContext(v -> arm())));
    unsubscribe.add(discovery.onChange(() -> context.runOnContext(v -> arm())));
  }

  void close() {
    unsubscribe.forEach(Runnable::run);
    for (ProxyConnection c : connections) {
      c.out.end();
    }
    connections.clear();
  }

  private void arm() {
    if (!armed) {
      armed = true;
      vertx.setTimer(debounceMillis, id -> context.runOnContext(v -> fire()));
    }
  }

  private void fire() {
    armed = false;
    config = store.snapshot();
    instances = discovery.instances();
    generation++;
    for (ProxyConnection c : connections) {
      if (c.node != null) {
        pushTo(c);
      }
    }
  }

  @Override
  protected void push(ReadStream<PushRequest> in, WriteStream<PushSnapshot> out) {
    ProxyConnection c = new ProxyConnection(out);
    in.handler(message -> context.runOnContext(v -> onMessage(c, message)));
    in.endHandler(v -> context.runOnContext(x -> {
      connections.remove(c);
      out.end();
    }));
    in.exceptionHandler(e -> context.runOnContext(x -> {
      connections.remove(c);
      LOG.log(System.Logger.Level.DEBUG, "push stream of {0} failed: {1}",
          c.node == null ? "?" : c.node.id(), e.getMessage());
    }));
  }

  private void onMessage(ProxyConnection c, PushRequest message) {
    if (c.node == null) {
      if (!message.hasNode() || message.getNode().getId().isEmpty()) {
        LOG.log(System.Logger.Level.WARNING, "a push stream began without a node id; closing it");
        c.out.end();
        return;
      }
      var n = message.getNode();
      c.node = new ProxyNode(n.getId(), n.getService(), n.getNamespace(), n.getLabelsMap(), n.getAddress(), n.getRole());
      // A reconnecting proxy replaces its previous stream.
      connections.removeIf(other -> other.node != null && other.node.id().equals(n.getId()));
      connections.add(c);
      pushTo(c);
      return;
    }
    if (message.getError().isEmpty()) {
      c.acknowledge(message.getVersion());
    } else {
      boolean lost = message.getError().startsWith(BASE_MISMATCH);
      c.refuse(message.getVersion(), message.getError(), lost);
      LOG.log(System.Logger.Level.WARNING, "proxy {0} refused version {1}: {2}", c.node.id(),
          message.getVersion(), message.getError());
      c.dirty |= lost;
    }
    if (c.dirty && c.inFlight == null) {
      c.dirty = false;
      pushTo(c);
    }
  }

  private void pushTo(ProxyConnection c) {
    if (c.inFlight != null) {
      c.dirty = true;
      return;
    }
    ProxyScope scope = ProxyScope.of(c.node, rootNamespace, config.ofKind("Sidecar"));
    Map<String, Resource> resources = ProxyConnection.newState();
    for (Resource r : config.resources().values()) {
      if (scope.visible(r)) {
        resources.put(WireItems.key(r), r);
      }
    }
    Map<String, ServiceInstance> endpoints = ProxyConnection.newState();
    for (ServiceInstance i : instances) {
      if (scope.visible(i)) {
        endpoints.put(WireItems.key(i), i);
      }
    }
    boolean full = c.acked.isEmpty();
    PushSnapshot.Builder snapshot = PushSnapshot.newBuilder();
    Map<String, Resource> heldResources = c.ackedResources;
    Map<String, ServiceInstance> heldInstances = c.ackedInstances;
    resources.forEach((key, r) -> {
      if (full || heldResources.get(key) != r) {
        snapshot.addResources(Item.newBuilder().setKey(key).setJson(json(r)));
      }
    });
    endpoints.forEach((key, i) -> {
      if (full || !i.equals(heldInstances.get(key))) {
        snapshot.addInstances(Item.newBuilder().setKey(key).setJson(WireItems.encode(i)));
      }
    });
    if (!full) {
      heldResources.keySet().stream().filter(k -> !resources.containsKey(k)).forEach(snapshot::addRemovedResources);
      heldInstances.keySet().stream().filter(k -> !endpoints.containsKey(k)).forEach(snapshot::addRemovedInstances);
      if (snapshot.getResourcesCount() + snapshot.getInstancesCount() + snapshot.getRemovedResourcesCount()
          + snapshot.getRemovedInstancesCount() == 0) {
        return; // nothing of this change applies to the proxy
      }
    }
    String version = String.valueOf(generation);
    if (version.equals(c.sent) || c.sent.startsWith(version + "-")) {
      version = version + "-" + (++c.resends);
    }
    snapshot.setVersion(version).setBaseVersion(full ? "" : c.acked);
    c.inFlight = version;
    c.inFlightResources = resources;
    c.inFlightInstances = endpoints;
    c.sent = version;
    c.out.write(snapshot.build()).onFailure(e -> LOG.log(System.Logger.Level.DEBUG,
        "cannot push to {0}: {1}", c.node.id(), e.getMessage()));
  }

  private String json(Resource r) {
    Encoded e = encoded.get(r.key());
    if (e == null || e.resource() != r) {
      e = new Encoded(r, WireItems.encode(r));
      encoded.put(r.key(), e);
    }
    return e.json();
  }

  @Override
  public Future<RegistrationReply> register(Registration request) {
    List<ServicePort> ports = new ArrayList<>();
    try {
      request.getPortsList().forEach(p -> ports.add(new ServicePort(p.getName(), p.getPort(), p.getTargetPort(), p.getProtocol())));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("registration '" + request.getId() + "': ports: " + e.getMessage()));
    }
    WorkloadRegistration r = new WorkloadRegistration(request.getId(), request.getService(), request.getNamespace(),
        request.getLabelsMap(), request.getAddress(), ports, request.getServiceAccount());
    return leases.register(r, Duration.ofMillis(request.getTtlMillis()))
        .map(granted -> RegistrationReply.newBuilder().setTtlMillis(granted.toMillis()).build());
  }

  @Override
  public Future<DeregistrationReply> deregister(Deregistration request) {
    return leases.deregister(request.getId()).map(removed -> DeregistrationReply.newBuilder().setRemoved(removed).build());
  }

  @Override
  public List<ProxyStatus> proxies() {
    return connections.stream().filter(c -> c.node != null).map(ProxyConnection::status)
        .sorted(java.util.Comparator.comparing(s -> s.node().id())).toList();
  }

  @Override
  public Holdings holdings(String proxyId) {
    for (ProxyConnection c : connections) {
      if (c.node != null && c.node.id().equals(proxyId)) {
        return new Holdings(c.status(), List.copyOf(c.ackedResources.values()), List.copyOf(c.ackedInstances.values()));
      }
    }
    return null;
  }
}
