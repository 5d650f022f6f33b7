package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * One listening port of a Gateway and the hosts it serves.
 *
 * @param port the port
 * @param hosts the hosts served, optionally {@code namespace/host}
 * @param tls TLS settings, or {@code null} for plain text
 * @param defaultEndpoint where traffic goes when no route applies
 * @param bind the address to bind
 */
public record Server(
    @Required Port port, @Required List<String> hosts, ServerTlsSettings tls, String defaultEndpoint, String bind) {}
