package io.mizzen.proxy;

import io.mizzen.proxy.policy.MixerHook;
import io.mizzen.proxy.policy.SidecarMixer;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.proxy.ControlPlaneAddress;
import io.mizzen.spi.proxy.ProxyListeners;
import io.mizzen.spi.proxy.ProxySnapshotSink;
import io.mizzen.spi.proxy.SnapshotFeed;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The proxy as the kernel hosts it in the sidecar, ingress and egress roles. Settings come from
 * {@code plugins.settings.proxy} in {@code mizzen.yaml}: {@code outboundPort} (15001),
 * {@code inboundPort} (15006, -1 for none), {@code appPort} (the local app, needed with an inbound
 * listener), {@code namespace}, {@code gateway} (ingress/egress: a Gateway to serve besides those
 * whose selector matches the workload's labels, {@code istio: ingressgateway} by default;
 * {@code outboundPort} serves every Gateway's HTTP routes and each Gateway server port gets its own
 * listener, see {@code gatewayPorts}), {@code idleTimeout} and {@code drainPeriod} (ISO-8601 or
 * {@code 5s}-style), {@code gatewayPorts} (a gateway binds one listener per Gateway server port:
 * a map of server port → port to bind, 0 for ephemeral, -1 for none, key 0 for every other port;
 * {@code off} binds none; without it each server port binds its own number), {@code credentialsDir}
 * (where a Gateway server's {@code credentialName} is a folder with {@code tls.crt}, {@code tls.key},
 * {@code ca.crt}; the state folder's {@code gateway-credentials} by default), {@code healthCheckPath}/{@code healthCheckInterval}/{@code healthCheckTimeout} (active HTTP
 * health checks, off by default), {@code accessLog} (true: one line per request on the
 * {@code io.mizzen.proxy.access} logger), {@code mixer}, {@code mixerCheckCache},
 * {@code mixerCheckCacheTtl}, {@code mixerFailOpen}, {@code mixerCheckTimeout} (see {@link SidecarMixer}). {@code originalDestination} ({@code conntrack} under iptables capture: the default for a sidecar whose
 * environment has kube-inject's {@code MIZZEN_INTERCEPTION_MODE=REDIRECT}; {@code off} otherwise). Once started it publishes a {@link ProxySnapshotSink} for the agent, and is
 * not ready until the first snapshot is in.
 */
@Extension
public final class ProxyFunction implements MeshFunction {
  private MeshProxy proxy;
  private SidecarMixer sidecarMixer;
  private MixerHook mixerHook;
  private final ProxyEndpoints endpoints = new ProxyEndpoints();

  @Override
  public String name() {
    return "proxy";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.SIDECAR, Role.INGRESS, Role.EGRESS);
  }

  @Override
  public int order() {
    // After the agent's own functions that fetch certificates, before nothing else.
    return 200;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    ProxyOptions options;
    SidecarMixer.Settings mixerSettings;
    try {
      options = options(withHostDefaults(context), context.role());
      // Read before anything starts: a mistyped Mixer setting stops the sidecar with its name
      // rather than leaving the workload's policy unchecked.
      int mixerPort = context.ports().mixer() > 0 ? context.ports().mixer() : MeshPorts.defaults().mixer();
      ControlPlaneAddress controlPlane = context.lookup(ControlPlaneAddress.class);
      mixerSettings = SidecarMixer.Settings.of(context.settings("proxy"),
          controlPlane == null ? "127.0.0.1" : controlPlane.host(), mixerPort);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    WorkloadInfo workload = context.lookup(WorkloadInfo.class);
    if (workload != null) {
      // The workload's labels drive sourceLabels matches and, for a gateway, Gateway selectors.
      Map<String, String> labels = new java.util.HashMap<>(options.sourceLabels());
      labels.putAll(workload.labels());
      options = new ProxyOptions(options.bindHost(), options.outboundPort(), options.inboundPort(),
          options.inboundAppPort(), workload.namespace(), labels, options.gateways(),
          options.idleTimeout(), options.drainPeriod(), options.maxHeaderBytes(),
          options.accessLog(), options.openTelemetry(), options.healthCheck(), options.gatewayListeners(), options.originalDestination());
    }
    String bind = String.valueOf(withHostDefaults(context).get("bindHost"));
    // Policy is enforced where Istio's sidecar enforced it: on the inbound side of a workload.
    MixerHook mixer = workload == null || context.role() != Role.SIDECAR ? null
        : new MixerHook(context.vertx(), workload, context.trustDomain());
    mixerHook = mixer;
    io.mizzen.spi.ca.WorkloadCertificates certificates = context.lookup(io.mizzen.spi.ca.WorkloadCertificates.class);
    ProxyOptions opts = options;
    // No citadel agent: no certificates, so plain text both ways (as Istio without mTLS). Reading
    // the key and building the contexts is blocking work.
    Future<io.mizzen.proxy.tls.MeshTls> tlsReady = certificates == null ? Future.succeededFuture(null)
        : context.vertx().<io.mizzen.proxy.tls.MeshTls>executeBlocking(() -> io.mizzen.proxy.tls.MeshTls.create(certificates))
            .recover(e -> Future.failedFuture(new IllegalStateException("proxy cannot set up mutual TLS: "
                + e.getMessage(), e)));
    // A sidecar with certificates enforces PeerAuthentication and authorization on its inbound; a
    // gateway enforces RequestAuthentication and authorization on its listeners, as Istio's
    // gateways do for the policies selecting them (certificates or not: a JWT or a source IP
    // needs none).
    boolean enforces = context.role() == Role.SIDECAR ? certificates != null
        : context.role() == Role.INGRESS || context.role() == Role.EGRESS;
    io.mizzen.proxy.authz.InboundSecurity security = workload == null || !enforces
        ? null : io.mizzen.proxy.authz.InboundSecurity.of(context.vertx(), workload, context.rootNamespace(),
            context.trustDomain(), java.time.Clock.systemUTC());
    return tlsReady.compose(tls -> io.mizzen.proxy.engine.ProxyEngine.start(context.vertx(), opts,
        mixer == null ? java.util.List.of() : java.util.List.of(mixer), tls, context.trustDomain(), security)).compose(started -> {
      proxy = started;
      if (workload != null) {
        started.metrics().identify(workload);
      }
      return endpoints.listen(context.vertx(), bind, context.ports().health(), context.ports().prometheus(), started)
          .map(ignored -> started);
    }).map(started -> {
      // Gateway listeners come and go with snapshots: the published ports follow each one.
      Runnable publishListeners = () -> context.publish(ProxyListeners.class, new ProxyListeners(started.outboundPort(),
          started.inboundPort(), endpoints.healthPort(), endpoints.prometheusPort(), started.gatewayPorts()));
      context.publish(ProxySnapshotSink.class, snapshot -> started.apply(snapshot).onSuccess(v -> publishListeners.run()));
      context.publish(MeshProxy.class, started);
      publishListeners.run();
      if (mixer != null) {
        sidecarMixer = SidecarMixer.start(context.vertx(), mixer, context.lookup(Mixer.class), mixerSettings);
      }
      // The agent (kernel) publishes the feed of Pilot's snapshots before this function starts.
      SnapshotFeed feed = context.lookup(SnapshotFeed.class);
      if (feed != null) {
        // Cached Check verdicts were given under the previous config: a new one starts afresh.
        feed.subscribe(snapshot -> started.apply(snapshot).onSuccess(applied -> {
          publishListeners.run();
          if (mixer != null) {
            mixer.configChanged();
          }
        }));
      }
      return null;
    });
  }

  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy");

  /**
   * The settings, with the host's ports and workload filled in where the settings are silent:
   * outbound and inbound from {@code MeshContext.ports()} (0 picks a free port), the app port
   * from the agent's {@link WorkloadInfo}, original-destination lookups for an injected sidecar.
   */
  private static Map<String, Object> withHostDefaults(MeshContext context) {
    Map<String, Object> merged = new java.util.HashMap<>(context.settings("proxy"));
    merged.putIfAbsent("outboundPort", context.ports().outbound());
    WorkloadInfo workload = context.lookup(WorkloadInfo.class);
    if (context.role() == Role.SIDECAR && workload != null && workload.appPort() > 0) {
      merged.putIfAbsent("inboundPort", context.ports().inbound());
      merged.putIfAbsent("appPort", workload.appPort());
    }
    merged.putIfAbsent("bindHost", context.bindAddress());
    merged.putIfAbsent("credentialsDir", context.stateDir().resolve("gateway-credentials").toString());
    if (context.role() == Role.SIDECAR && "REDIRECT".equals(System.getenv("MIZZEN_INTERCEPTION_MODE"))) {
      // The injected pod's init container installed REDIRECT capture (kube-inject sets this variable).
      merged.putIfAbsent("originalDestination", "conntrack");
    }
    return merged;
  }

  /**
   * Reads the proxy's settings.
   *
   * @throws IllegalArgumentException naming the setting ({@code plugins.settings.proxy.<key>})
   *     that is wrong and why
   */
  static ProxyOptions options(Map<String, Object> settings, Role role) {
    int outbound = intSetting(settings, "outboundPort", ProxyOptions.OUTBOUND_PORT);
    int inbound = intSetting(settings, "inboundPort", role == Role.SIDECAR ? ProxyOptions.INBOUND_PORT : -1);
    int app = intSetting(settings, "appPort", inbound >= 0 ? -1 : 0);
    if (inbound >= 0 && app <= 0) {
      throw new IllegalArgumentException("plugins.settings.proxy.appPort: required when inboundPort is set ("
          + inbound + "); it names the local app's port");
    }
    Object ns = settings.get("namespace");
    // A gateway serves the Gateway named in its settings (if any) and every Gateway whose
    // selector matches its labels: istio=ingressgateway/egressgateway unless the workload says.
    Set<String> gateways = role == Role.SIDECAR ? null
        : settings.get("gateway") == null ? Set.of() : Set.of(settings.get("gateway").toString());
    Map<String, String> labels = role == Role.SIDECAR ? Map.of()
        : Map.of("istio", role == Role.INGRESS ? "ingressgateway" : "egressgateway");
    try {
      return new ProxyOptions(String.valueOf(settings.getOrDefault("bindHost", "127.0.0.1")), outbound, inbound,
          Math.max(app, 0), ns == null ? null : ns.toString(), labels, gateways,
          duration(settings, "idleTimeout"), duration(settings, "drainPeriod"), 0,
          Boolean.FALSE.equals(settings.get("accessLog")) ? null : ProxyFunction::logAccess, null,
          settings.get("healthCheckPath") == null ? null : new ProxyOptions.HealthCheck(
              settings.get("healthCheckPath").toString(), duration(settings, "healthCheckInterval"),
              duration(settings, "healthCheckTimeout")),
          gatewayListeners(settings), originalDestination(settings));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("plugins.settings.proxy: " + e.getMessage(), e);
    }
  }

  private static ProxyOptions.GatewayListeners gatewayListeners(Map<String, Object> settings) {
    Object ports = settings.get("gatewayPorts");
    Map<Integer, Integer> map = new java.util.HashMap<>();
    if (ports != null && "off".equals(ports.toString().trim())) {
      map.put(0, -1);
    } else if (ports instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        int server;
        try {
          server = Integer.parseInt(e.getKey().toString().trim());
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException("plugins.settings.proxy.gatewayPorts: key '" + e.getKey()
              + "' is not a port number");
        }
        map.put(server, intSetting(Map.of("gatewayPorts." + server, e.getValue()), "gatewayPorts." + server, 0));
      }
    } else if (ports != null) {
      throw new IllegalArgumentException("plugins.settings.proxy.gatewayPorts: '" + ports
          + "' is neither a map of server port to port nor 'off'");
    }
    Object dir = settings.get("credentialsDir");
    return new ProxyOptions.GatewayListeners(map, dir == null ? null : java.nio.file.Path.of(dir.toString()));
  }

  /**
   * {@code originalDestination}: {@code conntrack} when iptables captures the pod's traffic (the
   * injected init container's rules), {@code off} (the default) otherwise.
   */
  private static io.mizzen.proxy.capture.OriginalDestination originalDestination(Map<String, Object> settings) {
    Object v = settings.get("originalDestination");
    String mode = v == null ? "off" : v.toString().trim();
    return switch (mode) {
      case "off" -> null;
      case "conntrack" -> {
        io.mizzen.proxy.capture.OriginalDestination table = io.mizzen.proxy.capture.OriginalDestination.conntrack();
        if (table.unavailableReason() != null) {
          LOG.log(System.Logger.Level.WARNING, "plugins.settings.proxy.originalDestination: " + table.unavailableReason());
        }
        yield table;
      }
      default -> throw new IllegalArgumentException("plugins.settings.proxy.originalDestination: '" + mode
          + "' is not conntrack or off");
    };
  }

  private static final System.Logger ACCESS = System.getLogger("io.mizzen.proxy.access");

  private static void logAccess(io.mizzen.proxy.access.AccessLogEntry entry) {
    ACCESS.log(System.Logger.Level.INFO, entry);
  }

  private static int intSetting(Map<String, Object> settings, String key, int fallback) {
    Object v = settings.get(key);
    if (v == null) {
      return fallback;
    }
    double port;
    try {
      port = v instanceof Number n ? n.doubleValue() : Integer.parseInt(v.toString().trim());
    } catch (NumberFormatException e) {
      port = Double.NaN;
    }
    // Ranges are ProxyOptions' to check (-1 is "off" for some); here only what an int cannot hold
    // exactly is refused, so that 4294967376 is not read as 80.
    if (port != (int) port) {
      throw new IllegalArgumentException("plugins.settings.proxy." + key + ": '" + v + "' is not a port number");
    }
    return (int) port;
  }

  private static Duration duration(Map<String, Object> settings, String key) {
    Object v = settings.get(key);
    if (v == null) {
      return null;
    }
    String s = v.toString().trim();
    try {
      if (s.matches("\\d+ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      if (s.matches("\\d+[smh]")) {
        return Duration.parse("PT" + s.toUpperCase(java.util.Locale.ROOT));
      }
      return Duration.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("plugins.settings.proxy." + key + ": '" + s + "' is not a duration (such as 5s)");
    }
  }

  @Override
  public Future<Void> stop() {
    MeshProxy p = proxy;
    SidecarMixer m = sidecarMixer;
    MixerHook h = mixerHook;
    // The proxy drains first (its last responses queue reports), then the pending report batch
    // goes out, and only then does the Mixer connection close.
    return endpoints.close()
        .transform(ignored -> p == null ? Future.<Void>succeededFuture() : p.close())
        .transform(ignored -> h == null ? Future.<Void>succeededFuture() : h.close())
        .transform(ignored -> m == null ? Future.succeededFuture() : m.close());
  }

  @Override
  public boolean ready() {
    MeshProxy p = proxy;
    return p != null && p.ready();
  }
}
