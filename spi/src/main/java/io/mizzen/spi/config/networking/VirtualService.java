package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * Istio's VirtualService spec: how requests to some hosts are routed.
 *
 * @param hosts the hosts this applies to (short names, FQDNs, wildcards, {@code *})
 * @param gateways the gateways (and {@code mesh} for sidecars) it applies on; empty means
 *     {@code mesh}
 * @param http HTTP rules, first match wins
 * @param tls TLS passthrough rules
 * @param tcp TCP rules
 * @param exportTo namespaces it is visible to ({@code .} own, {@code *} all); empty means all
 */
public record VirtualService(
    @Required List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    List<TlsRoute> tls,
    List<TcpRoute> tcp,
    List<String> exportTo) {}
