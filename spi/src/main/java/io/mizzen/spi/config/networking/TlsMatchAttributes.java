package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Map;

/**
 * Conditions of a TLS (SNI) route match.
 *
 * @param sniHosts SNI names to match, wildcards allowed
 * @param destinationSubnets destination IPs or CIDRs
 * @param port the destination port
 * @param sourceSubnet the source IP or CIDR
 * @param sourceLabels labels the calling workload must carry
 * @param gateways gateways this match is limited to
 * @param sourceNamespace the calling workload's namespace
 */
public record TlsMatchAttributes(
    @Required List<String> sniHosts,
    List<String> destinationSubnets,
    Integer port,
    String sourceSubnet,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) {}
