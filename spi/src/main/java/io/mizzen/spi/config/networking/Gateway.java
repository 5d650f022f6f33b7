package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Map;

/**
 * Istio's Gateway spec: what an ingress or egress gateway listens for.
 *
 * @param selector labels of the gateway workloads this applies to
 * @param servers the listening ports
 */
public record Gateway(Map<String, String> selector, @Required List<Server> servers) {}
