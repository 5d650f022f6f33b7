package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.Map;

/**
 * A named group of a service's endpoints, chosen by labels.
 *
 * @param name the subset's name, referenced by routes
 * @param labels the labels its endpoints carry
 * @param trafficPolicy overrides of the rule's policy for this subset
 */
public record Subset(@Required String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {}
