package io.mizzen.spi.proxy;

import java.util.Map;

/**
 * The ports a running proxy actually bound (they differ from the settings when those say 0),
 * published by the proxy's function through {@link io.mizzen.spi.MeshContext#publish} for the
 * host: the demo, {@code proxy-status}, tests.
 *
 * @param outbound the outbound listener, -1 when off
 * @param inbound the inbound listener, -1 when off
 * @param health the readiness endpoint ({@code /healthz/ready}), -1 when off
 * @param prometheus the metrics endpoint ({@code /stats/prometheus}), -1 when off
 * @param gateways a gateway's listeners: the Gateway server port → the port actually bound
 */
public record ProxyListeners(int outbound, int inbound, int health, int prometheus,
    Map<Integer, Integer> gateways) {
  public ProxyListeners {
    gateways = gateways == null ? Map.of() : Map.copyOf(gateways);
  }
}
