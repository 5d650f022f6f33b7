package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * One TLS passthrough rule of a VirtualService, matched on SNI.
 *
 * @param match alternative conditions (at least one)
 * @param route weighted destinations
 */
public record TlsRoute(@Required List<TlsMatchAttributes> match, List<RouteDestination> route) {}
