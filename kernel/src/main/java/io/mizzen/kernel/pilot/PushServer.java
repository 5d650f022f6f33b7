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
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private Map<ResourceKey, Entry<Resource>> resourceEntries = Map.of();
  private Map<String, Entry<ServiceInstance>> instanceEntries = Map.of();
  private List<Resource> sidecars = List.of();
  private Map<String, View> views = new HashMap<>();
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private ConfigSnapshot config;
  private List<ServiceInstance> instances;
  private long generation;
  private boolean armed;
  private long lastFire;

  /**
   * A resource or instance with its key and wire form, made once per change for all proxies. An
   * unchanged value keeps its entry (and the very object), so a proxy's delta is an identity test.
   */
  private record Entry<T>(String key, T value, Item item) {}

  PushServer(Vertx vertx, Context context, ConfigStore store, MeshDiscovery discovery, WorkloadLeases leases,
      String rootNamespace, Duration debounce) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.discovery = discovery;
    this.leases = leases;
    this.rootNamespace = rootNamespace;
    this.debounceMillis = Math.max(1, debounce.toMillis());
    this.generation = 1;
    catalog(store.snapshot(), discovery.instances());
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

  // Leading-edge debounce: a change after a quiet window goes out at once; changes that follow
  // within the window are coalesced into one push at its end. At most one push per window.
  private void arm() {
    if (!armed) {
      armed = true;
      long wait = Math.max(1, lastFire + debounceMillis - System.currentTimeMillis());
      vertx.setTimer(wait, id -> context.runOnContext(v -> fire()));
    }
  }

  private void catalog(ConfigSnapshot nextConfig, List<ServiceInstance> nextInstances) {
    Map<ResourceKey, Entry<Resource>> resources = new java.util.LinkedHashMap<>();
    for (Resource r : nextConfig.resources().values()) {
      Entry<Resource> previous = resourceEntries.get(r.key());
      resources.put(r.key(), previous != null && previous.value() == r ? previous
          : entry(WireItems.key(r), r, WireItems.encode(r)));
    }
    Map<String, Entry<ServiceInstance>> endpoints = new java.util.LinkedHashMap<>();
    for (ServiceInstance i : nextInstances) {
      String key = WireItems.key(i);
      Entry<ServiceInstance> previous = instanceEntries.get(key);
      endpoints.put(key, previous != null && previous.value().equals(i) ? previous : entry(key, i, WireItems.encode(i)));
    }
    config = nextConfig;
    instances = nextInstances;
    resourceEntries = resources;
    instanceEntries = endpoints;
    sidecars = nextConfig.ofKind("Sidecar");
    views = new HashMap<>();
  }

  private static <T> Entry<T> entry(String key, T value, String json) {
    // As bytes, so that serializing the item for each proxy copies rather than re-encodes it.
    return new Entry<>(key, value, Item.newBuilder().setKey(key).setJsonBytes(ByteString.copyFromUtf8(json)).build());
  }

  /** What the proxies of one scope see in this generation; computed for the first, shared by the rest. */
  private View view(ProxyScope scope) {
    Map<String, Resource> resources = new LinkedHashMap<>();
    List<Item> resourceItems = new ArrayList<>();
    for (Entry<Resource> e : resourceEntries.values()) {
      if (scope.visible(e.value())) {
        resources.put(e.key(), e.value());
        resourceItems.add(e.item());
      }
    }
    Map<String, ServiceInstance> endpoints = new LinkedHashMap<>();
    List<Item> instanceItems = new ArrayList<>();
    for (Entry<ServiceInstance> e : instanceEntries.values()) {
      if (scope.visible(e.value())) {
        endpoints.put(e.key(), e.value());
        instanceItems.add(e.item());
      }
    }
    return new View(Collections.unmodifiableMap(resources), Collections.unmodifiableMap(endpoints),
        resourceItems, instanceItems);
  }

  /**
   * One scope's view: its state (never changed once made: proxies hold it as their acked state)
   * and the messages that bring a proxy to it, in full or from a state it holds.
   */
  private final class View {
    final Map<String, Resource> resources;
    final Map<String, ServiceInstance> instances;
    private final List<Item> resourceItems;
    private final List<Item> instanceItems;
    private PushSnapshot full;
    // Proxies of one scope that acked the same view get the same delta, computed once.
    private final Map<Map<String, Resource>, PushSnapshot> deltas = new IdentityHashMap<>();
    private final Map<Map<String, Resource>, Map<String, ServiceInstance>> deltaBases = new IdentityHashMap<>();

    View(Map<String, Resource> resources, Map<String, ServiceInstance> instances, List<Item> resourceItems,
        List<Item> instanceItems) {
      this.resources = resources;
      this.instances = instances;
      this.resourceItems = resourceItems;
      this.instanceItems = instanceItems;
    }

    PushSnapshot full() {
      if (full == null) {
        full = PushSnapshot.newBuilder().addAllResources(resourceItems).addAllInstances(instanceItems).build();
      }
      return full;
    }

    PushSnapshot deltaFrom(Map<String, Resource> heldResources, Map<String, ServiceInstance> heldInstances) {
      PushSnapshot cached = deltas.get(heldResources);
      if (cached != null && deltaBases.get(heldResources) == heldInstances) {
        return cached;
      }
      PushSnapshot.Builder delta = PushSnapshot.newBuilder();
      for (Entry<Resource> e : resourceEntries.values()) {
        if (resources.containsKey(e.key()) && heldResources.get(e.key()) != e.value()) {
          delta.addResources(e.item());
        }
      }
      for (Entry<ServiceInstance> e : instanceEntries.values()) {
        if (instances.containsKey(e.key()) && heldInstances.get(e.key()) != e.value()) {
          delta.addInstances(e.item());
        }
      }
      heldResources.keySet().stream().filter(k -> !resources.containsKey(k)).forEach(delta::addRemovedResources);
      heldInstances.keySet().stream().filter(k -> !instances.containsKey(k)).forEach(delta::addRemovedInstances);
      PushSnapshot built = delta.build();
      deltas.put(heldResources, built);
      deltaBases.put(heldResources, heldInstances);
      return built;
    }
  }

  private void fire() {
    armed = false;
    lastFire = System.currentTimeMillis();
    generation++;
    catalog(store.snapshot(), discovery.instances());
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
    ProxyScope scope = ProxyScope.of(c.node, rootNamespace, sidecars);
    View view = views.computeIfAbsent(scope.key(), k -> view(scope));
    boolean full = c.acked.isEmpty();
    PushSnapshot body = full ? view.full() : view.deltaFrom(c.ackedResources, c.ackedInstances);
    if (!full && body.getResourcesCount() + body.getInstancesCount() + body.getRemovedResourcesCount()
        + body.getRemovedInstancesCount() == 0) {
      return; // nothing of this change applies to the proxy
    }
    PushSnapshot.Builder snapshot = body.toBuilder();
    Map<String, Resource> resources = view.resources;
    Map<String, ServiceInstance> endpoints = view.instances;
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
