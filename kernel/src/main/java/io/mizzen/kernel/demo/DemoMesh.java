package io.mizzen.kernel.demo;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.citadel.TokenStore;
import io.mizzen.kernel.config.ApplyResult;
import io.mizzen.kernel.config.ConfigLoader;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.config.Loaded;
import io.mizzen.kernel.grpc.ControlPlaneGrpc;
import io.mizzen.kernel.pilot.ProxyStatus;
import io.mizzen.kernel.pilot.PushStatus;
import io.mizzen.kernel.settings.AgentSettings;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.proxy.ProxyListeners;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Bookinfo on loopback, in one JVM: a control-plane kernel on Istio's ports, one sidecar kernel per
 * Bookinfo workload (its own Vert.x, every port picked free), each in front of a tiny Bookinfo app,
 * and an ingress-gateway kernel whose Gateway port 80 is mapped to the demo's port. Every kernel is
 * the same code `mizzen control-plane`, `sidecar` and `ingress` run; only the wiring is here.
 *
 * <p>Runs on the demo command's own thread, which waits on Futures; no event loop ever waits.
 */
final class DemoMesh implements DemoControl, AutoCloseable {
  /** Bookinfo's workloads: service, version, and the service account Istio's manifests give it. */
  static final List<String[]> WORKLOADS = List.of(
      new String[] {"details", "v1"}, new String[] {"ratings", "v1"},
      new String[] {"reviews", "v1"}, new String[] {"reviews", "v2"}, new String[] {"reviews", "v3"},
      new String[] {"productpage", "v1"});
  /** What the demo applies before the tour, as the tutorial does. */
  static final List<String> INITIAL = List.of("networking/bookinfo-gateway.yaml",
      "networking/destination-rule-all.yaml", "networking/virtual-service-all-v1.yaml",
      "telemetry/metrics.yaml");
  /** The port every Bookinfo service is addressed by, as in Istio's manifests. */
  private static final int BOOKINFO_PORT = 9080;
  private static final String GATEWAY_SA = "istio-ingressgateway-service-account";
  private static final Duration BOOT = Duration.ofSeconds(60);
  private static final Duration PROPAGATION = Duration.ofSeconds(10);
  /** How long the demo's sidecars reuse a cached Check verdict at most (mixerCheckCacheTtl). */
  private static final Duration CHECK_CACHE_TTL = Duration.ofSeconds(1);

  private final PrintWriter out;
  private final Path state;
  private final Vertx apps = Vertx.vertx();
  private final List<BookinfoService> services = new ArrayList<>();
  private final Map<String, Kernel> sidecars = new LinkedHashMap<>();
  private final ConfigLoader loader = ConfigLoader.create();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Kernel controlPlane;
  private Kernel ingress;
  private int gatewayPort;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private DemoMesh(PrintWriter out, Path state) {
    this.out = out;
    this.state = state;
  }

  /**
   * Boots the whole mesh and applies the tutorial's first files.
   *
   * @param base the settings the user gave (plugins folder, trust domain, control-plane ports)
   * @param gatewayPort where the ingress gateway listens on 127.0.0.1, 0 for a free port
   */
  static DemoMesh start(MeshSettings base, int gatewayPort, PrintWriter out) throws Exception {
    Path state = base.stateDir().resolve("demo").toAbsolutePath().normalize();
    deleteTree(state); // a demo starts from scratch: no config or tokens from an earlier run
    DemoMesh mesh = new DemoMesh(out, state);
    try {
      mesh.boot(base, gatewayPort);
      return mesh;
    } catch (Exception | Error e) {
      mesh.close();
      throw e;
    }
  }

  private void boot(MeshSettings base, int port) throws Exception {
    progress("control plane (config store, Pilot, Citadel, Mixer) on 127.0.0.1:%d/%d/%d",
        base.ports().grpc(), base.ports().grpcTls(), base.ports().mixer());
    Path cpState = state.resolve("control-plane");
    // Bootstrap tokens must exist before Citadel reads its store; the agents read them from files.
    TokenStore tokens = TokenStore.inFolder(cpState.resolve("citadel"), java.time.Clock.systemUTC());
    Map<String, Path> tokenFiles = new LinkedHashMap<>();
    for (String[] nsSa : serviceAccounts()) {
      Path file = Files.createDirectories(state.resolve("tokens")).resolve(nsSa[1] + ".token");
      Files.writeString(file, tokens.create(nsSa[0], nsSa[1], Duration.ofHours(24)).token());
      tokenFiles.put(nsSa[1], file);
    }
    controlPlane = await(Kernel.start(base.withStateDir(cpState).withConfigFolder(state.resolve("config")),
        Set.of(Role.CONTROL_PLANE)));
    for (String sample : INITIAL) {
      apply(sample);
    }
    int grpcPort = controlPlane.lookup(ControlPlaneGrpc.GrpcEndpoint.class).port();
    Path roots = rootsFile();

    MeshSettings dataPlane = base.withPorts(MeshPorts.ephemeral());
    for (String[] w : WORKLOADS) {
      String name = w[0] + "-" + w[1];
      progress("%-14s app + sidecar", name);
      String sa = "bookinfo-" + w[0];
      Map<String, String> labels = Map.of("app", w[0], "version", w[1]);
      BookinfoService app = new BookinfoService(w[0], w[1], () -> outboundPort(name));
      services.add(app);
      int appPort = await(app.start(apps, 0));
      AgentSettings agent = new AgentSettings("127.0.0.1:" + grpcPort, w[0], "default", labels, sa,
          "127.0.0.1", appPort, BOOKINFO_PORT);
      Kernel sidecar = await(Kernel.start(dataPlane.withStateDir(state.resolve(name)).withAgent(agent)
              .withPluginSettings(identitySettings(base, "default", sa, tokenFiles.get(sa), roots)),
          Set.of(Role.SIDECAR)));
      sidecars.put(name, sidecar);
    }
    AgentSettings gateway = new AgentSettings("127.0.0.1:" + grpcPort, "istio-ingressgateway",
        "istio-system", Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"),
        GATEWAY_SA, "127.0.0.1", 0);
    Map<String, Map<String, Object>> gatewaySettings = new LinkedHashMap<>(
        identitySettings(base, "istio-system", GATEWAY_SA, tokenFiles.get(GATEWAY_SA), roots));
    // The gateway serves bookinfo-gateway's routes on the demo's port: Gateway port 80 needs root
    // (and may be taken), so no per-server-port listener is bound (gatewayPorts: off).
    gatewaySettings.put("proxy", Map.of("outboundPort", port, "gateway", "bookinfo-gateway",
        "accessLog", false, "mixer", "127.0.0.1:" + base.ports().mixer(), "gatewayPorts", "off"));
    ingress = await(Kernel.start(dataPlane.withStateDir(state.resolve("ingress")).withAgent(gateway)
        .withPluginSettings(gatewaySettings), Set.of(Role.INGRESS)));
    // --port 0 lets the system pick: a port chosen earlier and left unbound can be taken meanwhile.
    ProxyListeners bound = ingress.lookup(ProxyListeners.class);
    gatewayPort = bound == null ? port : bound.outbound();
    progress("ingress gateway on 127.0.0.1:%d (Gateway port 80)", gatewayPort);
    progress("waiting for every proxy to hold its first config");
    waitFor("every kernel ready", BOOT, () -> allKernels().stream().allMatch(Kernel::ready));
    waitForPropagation();
  }

  /** Namespace and service account of every workload, the gateway's included. */
  private static List<String[]> serviceAccounts() {
    List<String[]> all = new ArrayList<>();
    WORKLOADS.stream().map(w -> "bookinfo-" + w[0]).distinct()
        .forEach(sa -> all.add(new String[] {"default", sa}));
    all.add(new String[] {"istio-system", GATEWAY_SA});
    return all;
  }

  /** The citadel-agent settings of one workload, when the control plane runs a CA. */
  private Map<String, Map<String, Object>> identitySettings(MeshSettings base, String ns, String sa,
      Path token, Path roots) {
    Map<String, Map<String, Object>> settings = new LinkedHashMap<>(base.pluginSettings());
    // The console is the tour's; access logs would interleave with it.
    // Sidecars' own ports are picked free, so they are told where the control plane's Mixer is.
    settings.putIfAbsent("proxy", Map.of("accessLog", false,
        "mixer", "127.0.0.1:" + base.ports().mixer(),
        "mixerCheckCacheTtl", CHECK_CACHE_TTL.toMillis() + "ms"));
    if (token != null && roots != null) {
      settings.put("citadel-agent", Map.of("controlPlane", "127.0.0.1:" + base.ports().grpcTls(),
          "namespace", ns, "serviceAccount", sa, "tokenFile", token.toString(),
          "rootCertFile", roots.toString()));
    }
    return settings;
  }

  /** Writes the CA's roots for the agents, or returns null when the control plane runs no CA. */
  private Path rootsFile() throws IOException {
    CertificateAuthority ca = controlPlane.lookup(CertificateAuthority.class);
    if (ca == null) {
      progress("no CA plugin loaded: the mesh runs without mutual TLS");
      return null;
    }
    return Files.writeString(state.resolve("roots.pem"), String.join("\n", ca.rootsPem()));
  }

  private List<Kernel> allKernels() {
    List<Kernel> all = new ArrayList<>();
    all.add(controlPlane);
    all.addAll(sidecars.values());
    if (ingress != null) {
      all.add(ingress);
    }
    return all;
  }

  private int outboundPort(String workload) {
    Kernel k = sidecars.get(workload);
    ProxyListeners listeners = k == null ? null : k.lookup(ProxyListeners.class);
    if (listeners == null) {
      throw new IllegalStateException("the sidecar of " + workload + " has no outbound listener");
    }
    return listeners.outbound();
  }

  @Override
  public String ingressUrl() {
    return "http://127.0.0.1:" + gatewayPort;
  }

  @Override
  public void apply(String sample) throws Exception {
    long before = pushedGeneration();
    List<Resource> resources = read(sample);
    ApplyResult result = await(store().apply(resources, List.of()));
    if (!result.errors().isEmpty()) {
      throw new IllegalStateException(sample + " refused: " + result.errors());
    }
    waitForMixer(resources, result.version());
    waitForPush(before);
  }

  @Override
  public void delete(String sample) throws Exception {
    long before = pushedGeneration();
    List<Resource> resources = read(sample);
    ApplyResult result = await(store().apply(List.of(), resources.stream().map(Resource::key).toList()));
    waitForMixer(resources, result.version());
    waitForPush(before);
  }

  /**
   * For a change to Mixer's config: waits until Mixer holds {@code version}, then until no
   * sidecar can still answer from a verdict cached before it. A sidecar learns of a new Mixer
   * config from Mixer's next answer to it (a Check, or a Report batch), or else drops a verdict
   * after {@link #CHECK_CACHE_TTL}; Pilot pushes it nothing for a Mixer rule. Without this wait
   * the tour's first request after a deny rule could be allowed by a verdict from the step
   * before (seen once in CI).
   */
  private void waitForMixer(List<Resource> resources, long version) {
    Mixer mixer = controlPlane.lookup(Mixer.class);
    if (mixer == null || resources.stream().noneMatch(r -> "config.istio.io".equals(r.group()))) {
      return;
    }
    waitFor("Mixer to hold config version " + version, PROPAGATION, () -> mixer.configGeneration() >= version);
    long cachedBefore = System.nanoTime() + CHECK_CACHE_TTL.plusMillis(100).toNanos();
    waitFor("verdicts cached under the previous Mixer config to expire", PROPAGATION,
        () -> System.nanoTime() - cachedBefore >= 0);
  }

  /** The lowest push generation every proxy has acknowledged (Pilot's versions are "gen[-n]"). */
  private long pushedGeneration() {
    PushStatus push = controlPlane.lookup(PushStatus.class);
    if (push == null) {
      return 0;
    }
    return push.proxies().stream().mapToLong(p -> generation(p.acked())).min().orElse(0);
  }

  private static long generation(String version) {
    try {
      int dash = version.indexOf('-');
      return Long.parseLong(dash < 0 ? version : version.substring(0, dash));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Waits until every proxy acknowledged a push newer than {@code before}; a change no proxy
   * needs (a Mixer rule, say) is pushed to none, so after a short while SYNCED is enough.
   */
  private void waitForPush(long before) {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    waitFor("the change to reach every proxy", PROPAGATION,
        () -> pushedGeneration() > before || System.nanoTime() > deadline);
    waitForPropagation();
  }

  /** The bundled sample files, copied out so the printed `mizzen apply -f` commands work. */
  Path samplesFolder() throws IOException {
    Path dir = state.resolve("samples");
    for (String sample : DemoSamples.ALL) {
      Path file = dir.resolve(sample);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text(sample));
    }
    return dir;
  }

  private ConfigStore store() {
    return controlPlane.lookup(ConfigStore.class);
  }

  private List<Resource> read(String sample) {
    Loaded loaded = loader.read(sample, text(sample));
    if (!loaded.errors().isEmpty()) {
      throw new IllegalStateException(sample + ": " + loaded.errors());
    }
    return loaded.resources();
  }

  static String text(String sample) {
    try (InputStream in = DemoMesh.class.getResourceAsStream("bookinfo/" + sample)) {
      if (in == null) {
        throw new IllegalArgumentException("no bundled sample " + sample);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until every connected proxy acknowledged what Pilot sent it last. */
  private void waitForPropagation() {
    PushStatus push = controlPlane.lookup(PushStatus.class);
    if (push == null) {
      return;
    }
    waitFor("every proxy SYNCED", PROPAGATION, () -> {
      List<ProxyStatus> proxies = push.proxies();
      return proxies.size() >= sidecars.size() + (ingress == null ? 0 : 1)
          && proxies.stream().allMatch(p -> p.sync() == ProxyStatus.Sync.SYNCED);
    });
  }

  @Override
  public String sidecarMetrics(String workload) throws Exception {
    Kernel k = sidecars.get(workload);
    ProxyListeners listeners = k == null ? null : k.lookup(ProxyListeners.class);
    if (listeners == null || listeners.prometheus() < 0) {
      return "(no metrics endpoint on " + workload + "'s sidecar)";
    }
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listeners.prometheus()
        + "/stats/prometheus")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Override
  public String mtlsSummary() throws Exception {
    String metrics = sidecarMetrics("reviews-v1") + sidecarMetrics("details-v1");
    return metrics.lines().filter(l -> l.startsWith("istio_requests_total")
            && l.contains("connection_security_policy=\"mutual_tls\""))
        .map(l -> l.replaceAll(".*source_principal=\"([^\"]*)\".*", "$1 -> ")
            + l.replaceAll(".*destination_principal=\"([^\"]*)\".*", "$1"))
        .distinct().limit(3).collect(Collectors.joining("; "));
  }

  /** The sidecars' metrics ports, for the printed curl commands. */
  Map<String, Integer> metricsPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    sidecars.forEach((name, k) -> {
      ProxyListeners l = k.lookup(ProxyListeners.class);
      if (l != null) {
        ports.put(name, l.prometheus());
      }
    });
    return ports;
  }

  @Override
  public void close() {
    // --exit-after-tour closes the mesh, then the shutdown hook would again: once is enough (a
    // second close found Vert.x terminated and threw RejectedExecutionException at exit).
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<Kernel> all = allKernels();
    java.util.Collections.reverse(all);
    for (Kernel k : all) {
      if (k != null) {
        awaitQuietly(k.stop());
      }
    }
    for (BookinfoService s : services) {
      awaitQuietly(s.stop());
    }
    awaitQuietly(apps.close());
  }

  private void progress(String format, Object... args) {
    out.printf("  - " + format + "%n", args);
    out.flush();
  }

  static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(BOOT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception c ? c : e;
    }
  }

  private static void awaitQuietly(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("demo: stop was not clean: " + e);
    }
  }

  private static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
