package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;

/**
 * Where a route sends traffic.
 *
 * @param host a service host: a short name ({@code reviews}, read in the VirtualService's
 *     namespace), an FQDN, or a ServiceEntry host
 * @param subset a subset named by the host's DestinationRule, or {@code null}
 * @param port the port on the host, or {@code null} when the service has only one
 */
public record Destination(@Required String host, String subset, PortSelector port) {}
