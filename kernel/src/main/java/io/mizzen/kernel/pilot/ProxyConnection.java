package io.mizzen.kernel.pilot;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.wire.pilot.CertificateInfo;
import io.mizzen.spi.wire.pilot.PushSnapshot;
import io.vertx.core.streams.WriteStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One proxy's push stream and what Pilot knows it holds. Touched only on the push server's
 * context, except the volatile fields status readers take.
 */
final class ProxyConnection {
  final WriteStream<PushSnapshot> out;
  volatile ProxyNode node;
  volatile String sent = "";
  volatile String acked = "";
  volatile String lastError = "";
  /** What the proxy holds as of {@link #acked}; replaced whole on each ACK. */
  volatile Map<String, Resource> ackedResources = Map.of();
  volatile Map<String, ServiceInstance> ackedInstances = Map.of();
  /** The workload certificate the proxy last reported serving; null when it reported none. */
  volatile CertificateInfo certificate;
  /** The version sent and not yet answered, and the state it makes; null when none is. */
  String inFlight;
  Map<String, Resource> inFlightResources;
  Map<String, ServiceInstance> inFlightInstances;
  /** A change arrived while a version was in flight: push again once it is answered. */
  boolean dirty;
  /** Waiting for its scope's view, being built off the push server's loop. */
  boolean waitingForView;
  int resends;

  ProxyConnection(WriteStream<PushSnapshot> out) {
    this.out = out;
  }

  void acknowledge(String version) {
    if (version.equals(inFlight)) {
      acked = version;
      ackedResources = inFlightResources;
      ackedInstances = inFlightInstances;
      lastError = "";
      clearInFlight();
    }
  }

  void refuse(String version, String error, boolean forgetHoldings) {
    if (version.equals(inFlight)) {
      lastError = error;
      if (forgetHoldings) {
        acked = "";
        ackedResources = Map.of();
        ackedInstances = Map.of();
      }
      clearInFlight();
    }
  }

  private void clearInFlight() {
    inFlight = null;
    inFlightResources = null;
    inFlightInstances = null;
  }

  ProxyStatus status() {
    return new ProxyStatus(node, sent, acked, lastError, ackedResources.size(), ackedInstances.size());
  }

  static <V> Map<String, V> newState() {
    return new LinkedHashMap<>();
  }
}
