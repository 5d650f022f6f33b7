package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.Map;

/**
 * One endpoint of a ServiceEntry.
 *
 * @param address its IP or host name
 * @param ports port name to the endpoint's port number
 * @param labels its labels, for subsets
 * @param network its network
 * @param locality its locality, {@code region/zone/subzone}
 * @param weight its load-balancing weight
 * @param serviceAccount its service account
 */
public record WorkloadEntry(
    @Required String address,
    Map<String, Integer> ports,
    Map<String, String> labels,
    String network,
    String locality,
    Integer weight,
    String serviceAccount) {}
