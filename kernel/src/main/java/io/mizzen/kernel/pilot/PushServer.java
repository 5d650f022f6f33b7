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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcWriteStream;
import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
  private Map<ResourceKey, CatalogEntry<Resource>> resourceEntries = Map.of();
  private Map<String, CatalogEntry<ServiceInstance>> instanceEntries = Map.of();
  private List<Resource> sidecars = List.of();
  private Map<String, ScopeView> views = new HashMap<>();
  /** Views of this generation being built off the loop (prewarm): a proxy of one waits for it. */
  private Map<String, Future<Void>> building = new HashMap<>();
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private ConfigSnapshot config;
  private List<ServiceInstance> instances;
  private long generation;
  private boolean armed;
  private long lastFire;


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
    prewarm();
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
    Map<ResourceKey, CatalogEntry<Resource>> resources = new LinkedHashMap<>();
    for (Resource r : nextConfig.resources().values()) {
      CatalogEntry<Resource> previous = resourceEntries.get(r.key());
      resources.put(r.key(), previous != null && previous.value() == r ? previous
          : entry(WireItems.key(r), r, WireItems.encode(r)));
    }
    Map<String, CatalogEntry<ServiceInstance>> endpoints = new LinkedHashMap<>();
    for (ServiceInstance i : nextInstances) {
      String key = WireItems.key(i);
      CatalogEntry<ServiceInstance> previous = instanceEntries.get(key);
      endpoints.put(key, previous != null && previous.value().equals(i) ? previous : entry(key, i, WireItems.encode(i)));
    }
    config = nextConfig;
    instances = nextInstances;
    resourceEntries = resources;
    instanceEntries = endpoints;
    sidecars = nextConfig.ofKind("Sidecar");
    views = new HashMap<>();
    building = new HashMap<>();
  }

  private static <T> CatalogEntry<T> entry(String key, T value, String json) {
    // As bytes, so that serializing the item for each proxy copies rather than re-encodes it.
    return new CatalogEntry<>(key, value, Item.newBuilder().setKey(key).setJson(ByteString.copyFromUtf8(json)).build());
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
    prewarm();
  }

  /** At most this many namespaces get their view built ahead of their proxies. */
  private static final int PREWARM_NAMESPACES = 8;

  /**
   * Builds, off the event loop, the full snapshot (and its encoding) of each namespace that has
   * workloads but no view yet (not those the push just served), so that proxies connecting next (all of them, after a control-plane
   * restart) find it ready. Installed only if no change came meanwhile; a proxy whose Sidecar
   * selects it by labels still gets a view of its own.
   */
  private void prewarm() {
    long at = generation;
    Collection<CatalogEntry<Resource>> resources = resourceEntries.values();
    Collection<CatalogEntry<ServiceInstance>> endpoints = instanceEntries.values();
    List<Resource> sidecarList = sidecars;
    // Scopes the push just served (connected proxies' namespaces) have their view already.
    List<ProxyScope> scopes = endpoints.stream().map(e -> e.value().namespace()).distinct()
        .map(ns -> ProxyScope.of(new ProxyNode("prewarm", "", ns, Map.of(), "", "sidecar"), rootNamespace, sidecarList))
        .filter(scope -> !views.containsKey(scope.key())).limit(PREWARM_NAMESPACES).toList();
    if (scopes.isEmpty()) {
      return;
    }
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    scopes.forEach(scope -> building.put(scope.key(), done.future()));
    vertx.<Map<String, ScopeView>>executeBlocking(() -> {
      Map<String, ScopeView> built = new HashMap<>();
      for (ProxyScope scope : scopes) {
        ScopeView view = ScopeView.of(scope, resources, endpoints);
        view.encoded(view.full());
        built.put(scope.key(), view);
      }
      return built;
    }, false).onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        LOG.log(System.Logger.Level.DEBUG, "prewarming views failed: " + ar.cause().getMessage());
      } else if (generation == at) {
        ar.result().forEach(views::putIfAbsent);
      }
      if (generation == at) {
        scopes.forEach(scope -> building.remove(scope.key()));
      }
      done.complete();
    }));
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
    if (message.hasCertificate()) {
      // Any message may carry the certificate the proxy serves: the first (with its node) or later ones.
      c.certificate = message.getCertificate();
    }
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
    if (message.getVersion().isEmpty() && message.getError().isEmpty()) {
      return; // answers no version (a certificate report): neither an ACK nor a NACK
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
    ScopeView view = views.get(scope.key());
    if (view == null) {
      Future<Void> prewarming = building.get(scope.key());
      if (prewarming != null) {
        // Its view is being built off the loop (a control plane that just started, all proxies
        // connecting): wait for it rather than build it a second time on the loop.
        if (!c.waitingForView) {
          c.waitingForView = true;
          prewarming.onComplete(ar -> {
            c.waitingForView = false;
            if (connections.contains(c)) {
              pushTo(c);
            }
          });
        }
        return;
      }
      view = ScopeView.of(scope, resourceEntries.values(), instanceEntries.values());
      views.put(scope.key(), view);
    }
    boolean full = c.acked.isEmpty();
    PushSnapshot body = full ? view.full() : view.deltaFrom(c.ackedResources, c.ackedInstances);
    if (!full && body.getResourcesCount() + body.getInstancesCount() + body.getRemovedResourcesCount()
        + body.getRemovedInstancesCount() == 0) {
      return; // nothing of this change applies to the proxy
    }
    Map<String, Resource> resources = view.resources;
    Map<String, ServiceInstance> endpoints = view.instances;
    String version = String.valueOf(generation);
    if (version.equals(c.sent) || c.sent.startsWith(version + "-")) {
      version = version + "-" + (++c.resends);
    }
    c.inFlight = version;
    c.inFlightResources = resources;
    c.inFlightInstances = endpoints;
    c.sent = version;
    write(c, view, body, version, full ? "" : c.acked).onFailure(e -> LOG.log(System.Logger.Level.DEBUG,
        "cannot push to {0}: {1}", c.node.id(), e.getMessage()));
  }

  /**
   * Sends {@code body} stamped with its versions. Protobuf merges concatenated encodings, so a
   * gRPC stream gets the versions' few bytes followed by the body's encoding, made once per view
   * and shared by every proxy of the scope; any other stream gets the message.
   */
  private static Future<Void> write(ProxyConnection c, ScopeView view, PushSnapshot body, String version, String base) {
    PushSnapshot versions = PushSnapshot.newBuilder().setVersion(version).setBaseVersion(base).build();
    if (c.out instanceof GrpcWriteStream<PushSnapshot> grpc) {
      byte[] head = versions.toByteArray();
      byte[] encoded = view.encoded(body);
      // Wrapped, not copied: gRPC's framing copies the 2 MB of a big mesh once more anyway, and
      // each copy of that size is a humongous allocation for G1.
      Buffer payload = io.vertx.core.internal.buffer.BufferInternal.buffer(io.netty.buffer.Unpooled.wrappedBuffer(head, encoded));
      return grpc.writeMessage(GrpcMessage.message("identity", payload));
    }
    return c.out.write(body.toBuilder().mergeFrom(versions).build());
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
        return new Holdings(c.status(), List.copyOf(c.ackedResources.values()), List.copyOf(c.ackedInstances.values()),
            c.certificate);
      }
    }
    return null;
  }
}
