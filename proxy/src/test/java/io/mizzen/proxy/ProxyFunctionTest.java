package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.policy.SidecarMixer;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.ProxySnapshotSink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy hosted as a MeshFunction: settings, readiness on the first snapshot, inbound, drain. */
class ProxyFunctionTest {
  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture();
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** The host's side of the contract, as the kernel provides it; lies outside the proxy. */
  private static final class Host implements MeshContext {
    final Vertx vertx;
    final Map<String, Object> settings;
    final Map<Class<?>, Object> published = new ConcurrentHashMap<>();

    Host(Vertx vertx, Map<String, Object> settings) {
      this.vertx = vertx;
      this.settings = settings;
    }

    @Override public Vertx vertx() { return vertx; }
    @Override public <T> Future<T> executeBlocking(Callable<T> task) { return vertx.executeBlocking(task); }
    @Override public String trustDomain() { return "cluster.local"; }
    @Override public String rootNamespace() { return "istio-system"; }
    @Override public Path stateDir() { return Path.of("target", "state"); }
    @Override public Role role() { return Role.SIDECAR; }
    @Override public Map<String, Object> settings(String name) { return settings; }
    @Override public <T> List<T> extensions(Class<T> point) { return List.of(); }
    @Override public <T> T lookup(Class<T> type) { return type.cast(published.get(type)); }
    @Override public <T> void publish(Class<T> type, T service) { published.put(type, service); }
    @Override public io.mizzen.spi.MeshPorts ports() { return io.mizzen.spi.MeshPorts.ephemeral(); }
  }

  @Test
  void servesInboundAfterTheFirstSnapshotAndDrainsOnStop() {
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    HttpServer app = f.upstream(req -> {
      arrived.countDown();
      f.vertx.setTimer(300, t -> req.response().end("app " + req.uri()));
    });
    Host host = new Host(f.vertx, Map.of("outboundPort", 0, "inboundPort", 0, "appPort", app.actualPort(),
        "drainPeriod", "5s"));
    ProxyFunction function = new ProxyFunction();
    assertEquals(java.util.Set.of(Role.SIDECAR, Role.INGRESS, Role.EGRESS), function.roles());
    Fixture.await(function.start(host));
    assertFalse(function.ready(), "not ready before the first snapshot");
    Fixture.await(host.lookup(ProxySnapshotSink.class).apply(new ProxySnapshot("v1", List.of(), List.of())));
    assertTrue(function.ready());
    MeshProxy proxy = host.lookup(MeshProxy.class);
    int inbound = proxy.inboundPort();
    Future<Fixture.Reply> inFlight = f.client.request(io.vertx.core.http.HttpMethod.GET, inbound, "127.0.0.1", "/in")
        .compose(r -> r.send().compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString()))));
    try {
      assertTrue(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS), "the request reached the app");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    Future<Void> stopped = function.stop();
    Fixture.Reply r = Fixture.await(inFlight);
    assertEquals("app /in", r.body(), "the request in flight finishes during the drain");
    assertEquals("close", r.headers().get("connection"));
    Fixture.await(stopped);
    assertThrows(Exception.class, () -> new java.net.Socket("127.0.0.1", inbound).close(), "no longer accepting");
  }

  @Test
  void readinessAndIstioMetricsOnTheirOwnPorts() {
    HttpServer app = f.upstream(req -> req.response().end("stars"));
    Host host = new Host(f.vertx, Map.of("outboundPort", 0, "inboundPort", 0, "mixer", "off"));
    host.publish(io.mizzen.spi.proxy.WorkloadInfo.class, new io.mizzen.spi.proxy.WorkloadInfo("ratings", "default",
        Map.of("app", "ratings", "version", "v1"), "bookinfo-ratings", "127.0.0.1", app.actualPort()));
    ProxyFunction function = new ProxyFunction();
    Fixture.await(function.start(host));
    io.mizzen.spi.proxy.ProxyListeners ports = host.lookup(io.mizzen.spi.proxy.ProxyListeners.class);
    assertTrue(ports.health() > 0 && ports.prometheus() > 0, ports.toString());
    assertEquals(503, get(ports.health(), "/healthz/ready", Map.of()).status(), "not ready before a snapshot");
    Fixture.await(host.lookup(ProxySnapshotSink.class).apply(new ProxySnapshot("v1", List.of(), List.of())));
    assertEquals(200, get(ports.health(), "/healthz/ready", Map.of()).status());

    // What reviews v3's sidecar sends along with its call.
    io.mizzen.proxy.access.IstioMetrics caller = new io.mizzen.proxy.access.IstioMetrics();
    caller.identify(new io.mizzen.spi.proxy.WorkloadInfo("reviews", "default",
        Map.of("app", "reviews", "version", "v3"), "bookinfo-reviews", "127.0.0.1", 9080));
    Fixture.Reply r = get(ports.inbound(), "/ratings/0",
        Map.of(io.mizzen.proxy.access.IstioMetrics.PEER_HEADER, caller.peerHeader()));
    assertEquals("stars", r.body());

    // The exchange is counted once its last write completes, which may be just after the client
    // has the response: wait for the series rather than race it.
    String text = get(ports.prometheus(), "/stats/prometheus", Map.of()).body();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
    while (!text.contains("istio_requests_total{") && System.nanoTime() < deadline) {
      text = get(ports.prometheus(), "/stats/prometheus", Map.of()).body();
    }
    String scraped = text;
    String line = text.lines().filter(l -> l.startsWith("istio_requests_total{")).findFirst()
        .orElseThrow(() -> new AssertionError("no istio_requests_total in\n" + scraped));
    for (String label : List.of("reporter=\"destination\"", "source_workload=\"reviews-v3\"",
        "source_app=\"reviews\"", "source_version=\"v3\"",
        "source_principal=\"cluster.local/ns/default/sa/bookinfo-reviews\"",
        "destination_workload=\"ratings-v1\"", "destination_app=\"ratings\"", "destination_version=\"v1\"",
        "destination_service=\"ratings.default.svc.cluster.local\"", "destination_service_name=\"ratings\"",
        "destination_principal=\"cluster.local/ns/default/sa/bookinfo-ratings\"", "response_code=\"200\"",
        "response_flags=\"-\"", "connection_security_policy=\"none\"")) {
      assertTrue(line.contains(label), label + " in " + line);
    }
    assertTrue(line.endsWith("} 1"), line);
    assertTrue(text.contains("istio_request_duration_milliseconds_count{"), text);
    assertTrue(text.contains("istio_response_bytes_sum{"), text);
    Fixture.await(function.stop());
  }

  private Fixture.Reply get(int port, String uri, Map<String, String> headers) {
    return Fixture.await(OneLoop.run(f.vertx, () -> f.client.request(io.vertx.core.http.HttpMethod.GET, port, "127.0.0.1", uri)
        .compose(req -> {
          headers.forEach(req::putHeader);
          return req.send().compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString())));
        })));
  }

  @Test
  void rolesDecideWhichGatewaysAreServed() {
    ProxyOptions ingress = ProxyFunction.options(Map.of("gateway", "bookinfo-gateway"), Role.INGRESS);
    assertEquals(java.util.Set.of("bookinfo-gateway"), ingress.gateways());
    assertEquals(Map.of("istio", "ingressgateway"), ingress.sourceLabels());
    assertEquals(-1, ingress.inboundPort(), "a gateway has no inbound listener by default");
    assertEquals(java.util.Set.of(), ProxyFunction.options(Map.of(), Role.EGRESS).gateways());
    assertEquals(java.util.Set.of("mesh"), ProxyFunction.options(Map.of("appPort", 9080), Role.SIDECAR).gateways());
  }

  @Test
  void badSettingsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("inboundPort", 15006), Role.SIDECAR));
    assertTrue(e.getMessage().contains("plugins.settings.proxy.appPort"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("outboundPort", "many"), Role.INGRESS));
    assertTrue(e.getMessage().contains("plugins.settings.proxy.outboundPort"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("drainPeriod", "soon"), Role.EGRESS));
    assertTrue(e.getMessage().contains("drainPeriod"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ProxyFunction.options(Map.of("inboundPort", -1, "originalDestination", "SO_ORIGINAL_DST"), Role.SIDECAR));
    assertTrue(e.getMessage().contains("plugins.settings.proxy.originalDestination")
        && e.getMessage().contains("SO_ORIGINAL_DST"), e.getMessage());
  }

  @Test
  void mixerSettingsAreReadAndBadOnesNamed() {
    SidecarMixer.Settings defaults = SidecarMixer.Settings.of(Map.of(), 9091);
    assertEquals("127.0.0.1", defaults.address().host());
    assertEquals(9091, defaults.address().port());
    assertTrue(defaults.cached());
    assertFalse(defaults.failOpen(), "Istio's default: fail closed");
    assertEquals(java.time.Duration.ofSeconds(1), defaults.checkTimeout());
    assertEquals(java.time.Duration.ofSeconds(2), defaults.cacheTtl());
    assertEquals(0, defaults.quotaPrefetch(), "no quota prefetch unless asked");
    SidecarMixer.Settings set = SidecarMixer.Settings.of(Map.of("mixer", "mixer.local:19091", "mixerFailOpen", true,
        "mixerCheckTimeout", "250ms", "mixerCheckCache", "false", "mixerCheckCacheTtl", "PT5S", "mixerQuotaPrefetch", 10), 9091);
    assertEquals(10, set.quotaPrefetch());
    assertEquals("mixer.local", set.address().host());
    assertEquals(19091, set.address().port());
    assertTrue(set.failOpen());
    assertFalse(set.cached());
    assertEquals(java.time.Duration.ofMillis(250), set.checkTimeout());
    assertEquals(java.time.Duration.ofSeconds(5), set.cacheTtl());
    assertEquals(null, SidecarMixer.Settings.of(Map.of("mixer", "off"), 9091).address());
    // By default Mixer is on the control plane's host (the agent's controlPlane), as istio-policy beside Pilot.
    SidecarMixer.Settings inCluster = SidecarMixer.Settings.of(Map.of(), "mizzen.mizzen-system.svc", 9091);
    assertEquals("mizzen.mizzen-system.svc", inCluster.address().host());
    assertEquals(9091, inCluster.address().port());
    for (Map.Entry<String, String> bad : Map.of("mixer", "mixer.local", "mixerFailOpen", "sometimes",
        "mixerCheckTimeout", "soon", "mixerCheckCacheTtl", "0s", "mixerCheckCache", "yes", "mixerQuotaPrefetch", "-1")
        .entrySet()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SidecarMixer.Settings.of(Map.of(bad.getKey(), bad.getValue()), 9091));
      assertTrue(e.getMessage().startsWith("plugins.settings.proxy." + bad.getKey() + ": '" + bad.getValue() + "'")
          || e.getMessage().startsWith("plugins.settings.proxy." + bad.getKey() + ": must be positive"), e.getMessage());
    }
    // A sidecar with a mistyped Mixer setting does not start (its policy would go unchecked).
    Future<Void> started = new ProxyFunction().start(new Host(f.vertx, Map.of("outboundPort", 0, "inboundPort", -1,
        "mixerFailOpen", "ture")));
    Throwable refused = assertThrows(AssertionError.class, () -> Fixture.await(started));
    assertTrue(String.valueOf(refused.getMessage()).contains("plugins.settings.proxy.mixerFailOpen: 'ture'"),
        String.valueOf(refused.getMessage()));
  }

  @Test
  void originalDestinationLookupsAreOffUnlessAsked() {
    assertEquals(null, ProxyFunction.options(Map.of("inboundPort", -1), Role.SIDECAR).originalDestination());
    assertEquals(null, ProxyFunction.options(Map.of("inboundPort", -1, "originalDestination", "off"), Role.SIDECAR)
        .originalDestination());
    assertTrue(ProxyFunction.options(Map.of("inboundPort", -1, "originalDestination", "conntrack"), Role.SIDECAR)
        .originalDestination() != null);
  }
}
