package io.mizzen.proxy;

import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.capture.OriginalDestination;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How a proxy listens and behaves. Ports of 0 bind an ephemeral port (tests); -1 leaves that
 * listener off.
 *
 * @param bindHost the address listeners bind, {@code 127.0.0.1} by default
 * @param outboundPort the sidecar outbound listener (Istio's 15001): the Host header picks the route
 * @param inboundPort the sidecar inbound listener (Istio's 15006)
 * @param inboundAppPort the local app's port the inbound listener forwards to
 * @param namespace the proxy's own namespace, for short host names
 * @param sourceLabels the labels of the workload this proxy serves (sourceLabels matching)
 * @param gateways the gateways this proxy is: {@code mesh} for a sidecar; for an ingress or egress
 *     gateway the Gateway names it serves beyond those whose selector matches {@code sourceLabels}
 * @param idleTimeout a client connection idle this long is closed
 * @param drainPeriod how long {@code close} lets requests in flight finish
 * @param maxHeaderBytes request headers above this answer 431
 * @param accessLog receives every access log entry, on the event loop; keep it cheap
 * @param openTelemetry where spans go; the no-op API by default (exporting is the telemetry
 *     adapters' job, the proxy only uses the API)
 * @param healthCheck active HTTP health checking of every endpoint, or {@code null} for none
 * @param gatewayListeners how an ingress or egress proxy binds its Gateways' server ports and
 *     where {@code credentialName}s are found
 * @param originalDestination where captured connections were going (iptables REDIRECT), looked up
 *     per connection on both listeners of a sidecar; {@code null} (the default) for none: routing
 *     by Host header and delivery to {@code inboundAppPort} alone
 */
public record ProxyOptions(
    String bindHost,
    int outboundPort,
    int inboundPort,
    int inboundAppPort,
    String namespace,
    Map<String, String> sourceLabels,
    Set<String> gateways,
    Duration idleTimeout,
    Duration drainPeriod,
    int maxHeaderBytes,
    Consumer<AccessLogEntry> accessLog,
    OpenTelemetry openTelemetry,
    HealthCheck healthCheck,
    GatewayListeners gatewayListeners,
    OriginalDestination originalDestination) {

  public static final int OUTBOUND_PORT = 15001;
  public static final int INBOUND_PORT = 15006;
  public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DRAIN_PERIOD = Duration.ofSeconds(5);
  public static final int MAX_HEADER_BYTES = 64 * 1024;
  /** No access log: the proxy then skips building entries at all. */
  public static final Consumer<AccessLogEntry> NO_ACCESS_LOG = entry -> { };

  public ProxyOptions {
    bindHost = bindHost == null ? "127.0.0.1" : bindHost;
    checkPort("outboundPort", outboundPort);
    checkPort("inboundPort", inboundPort);
    if (inboundPort >= 0 && (inboundAppPort < 1 || inboundAppPort > 65535)) {
      throw new IllegalArgumentException("inboundAppPort " + inboundAppPort + " must be 1-65535 when the inbound listener is on");
    }
    namespace = namespace == null ? "default" : namespace;
    sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
    // null: a sidecar ("mesh"); a set without "mesh": a gateway serving those Gateways and every
    // Gateway whose selector matches its sourceLabels (empty: only the latter).
    gateways = gateways == null ? Set.of("mesh") : Set.copyOf(gateways);
    idleTimeout = positive("idleTimeout", idleTimeout == null ? IDLE_TIMEOUT : idleTimeout);
    drainPeriod = drainPeriod == null ? DRAIN_PERIOD : drainPeriod;
    if (drainPeriod.isNegative()) {
      throw new IllegalArgumentException("drainPeriod must not be negative, was " + drainPeriod);
    }
    if (maxHeaderBytes <= 0) {
      maxHeaderBytes = MAX_HEADER_BYTES;
    }
    accessLog = accessLog == null ? NO_ACCESS_LOG : accessLog;
    openTelemetry = openTelemetry == null ? OpenTelemetry.noop() : openTelemetry;
    gatewayListeners = gatewayListeners == null ? GatewayListeners.DEFAULT : gatewayListeners;
  }

  /** The options without Gateway listener settings (the defaults apply). */
  public ProxyOptions(String bindHost, int outboundPort, int inboundPort, int inboundAppPort, String namespace,
      Map<String, String> sourceLabels, Set<String> gateways, Duration idleTimeout, Duration drainPeriod,
      int maxHeaderBytes, Consumer<AccessLogEntry> accessLog, OpenTelemetry openTelemetry, HealthCheck healthCheck) {
    this(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways, idleTimeout,
        drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, null, null);
  }

  /** A sidecar on Istio's ports with no inbound listener, for a workload in {@code default}. */
  public static ProxyOptions sidecar() {
    return new ProxyOptions(null, OUTBOUND_PORT, -1, 0, null, null, null, null, null, 0, null, null, null, null, null);
  }

  public ProxyOptions withOutboundPort(int port) {
    return new ProxyOptions(bindHost, port, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withInbound(int port, int appPort) {
    return new ProxyOptions(bindHost, outboundPort, port, appPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withSourceLabels(Map<String, String> labels) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, labels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withIdleTimeout(Duration timeout) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        timeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withDrainPeriod(Duration period) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, period, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withAccessLog(Consumer<AccessLogEntry> sink) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, sink, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withGateways(Set<String> names) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, names,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, originalDestination);
  }

  public ProxyOptions withOpenTelemetry(OpenTelemetry otel) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, otel, healthCheck, gatewayListeners, originalDestination);
  }

  /** Capture on: both listeners look up each connection's original destination in {@code table}. */
  public ProxyOptions withOriginalDestination(OriginalDestination table) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, gatewayListeners, table);
  }

  public ProxyOptions withHealthCheck(HealthCheck check) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, check, gatewayListeners, originalDestination);
  }

  public ProxyOptions withGatewayListeners(GatewayListeners listeners) {
    return new ProxyOptions(bindHost, outboundPort, inboundPort, inboundAppPort, namespace, sourceLabels, gateways,
        idleTimeout, drainPeriod, maxHeaderBytes, accessLog, openTelemetry, healthCheck, listeners, originalDestination);
  }

  /**
   * How an ingress or egress proxy listens for its Gateways: one listener per distinct server
   * port, bound on {@code ports.get(serverPort)} when given (0: an ephemeral port, -1: not bound),
   * else on {@code ports.get(0)} when that is given (the rule for every other port: {@code {0: -1}}
   * binds none, {@code {0: 0}} binds each on an ephemeral port), else on the server port itself. A port equal to the configured outbound listener's
   * is not bound again: that listener already serves every Gateway's HTTP routes.
   *
   * @param ports Gateway server port (0: any other) → port to bind
   * @param credentialsDir where a server's {@code credentialName} names a folder holding
   *     {@code tls.crt}, {@code tls.key} and {@code ca.crt}
   */
  public record GatewayListeners(Map<Integer, Integer> ports, java.nio.file.Path credentialsDir) {
    public static final GatewayListeners DEFAULT = new GatewayListeners(Map.of(), null);

    public GatewayListeners {
      ports = ports == null ? Map.of() : Map.copyOf(ports);
      ports.forEach((server, bind) -> {
        if (server < 0 || server > 65535) {
          throw new IllegalArgumentException("gatewayPorts: server port " + server + " must be 1-65535 (0: every other port)");
        }
        checkPort("gatewayPorts." + server, bind);
      });
      credentialsDir = credentialsDir == null ? java.nio.file.Path.of("gateway-credentials") : credentialsDir;
    }

    /** The port to bind for a Gateway server port; -1 for none. */
    public int bindPort(int serverPort) {
      Integer bind = ports.get(serverPort);
      if (bind != null) {
        return bind;
      }
      return ports.getOrDefault(0, serverPort);
    }
  }

  /**
   * Active HTTP health checking: every endpoint is probed with {@code GET path} each interval;
   * an answer other than 2xx within the timeout takes it out of load balancing until a probe
   * passes again.
   *
   * @param path such as {@code /healthz}
   * @param interval time between probes of one endpoint
   * @param timeout how long a probe may take
   */
  public record HealthCheck(String path, Duration interval, Duration timeout) {
    public HealthCheck {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("healthCheck.path must start with '/', was " + path);
      }
      interval = positive("healthCheck.interval", interval == null ? Duration.ofSeconds(5) : interval);
      timeout = positive("healthCheck.timeout", timeout == null ? Duration.ofSeconds(1) : timeout);
    }
  }

  private static void checkPort(String field, int port) {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(field + " " + port + " must be -1 (off), 0 (ephemeral) or 1-65535");
    }
  }

  private static Duration positive(String field, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(field + " must be positive, was " + d);
    }
    return d;
  }
}
