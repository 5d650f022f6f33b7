package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * Istio's DestinationRule spec: policies for traffic to a host once routing picked it.
 *
 * @param host the host (short name, FQDN or ServiceEntry host)
 * @param trafficPolicy the default policy
 * @param subsets named subsets
 * @param exportTo namespaces it is visible to; empty means all
 */
public record DestinationRule(
    @Required String host, TrafficPolicy trafficPolicy, List<Subset> subsets, List<String> exportTo) {}
