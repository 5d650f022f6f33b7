package io.mizzen.spi.config.networking;

import java.util.List;

/**
 * One TCP rule of a VirtualService.
 *
 * @param match alternative conditions; empty matches every connection
 * @param route weighted destinations
 */
public record TcpRoute(List<L4MatchAttributes> match, List<RouteDestination> route) {}
