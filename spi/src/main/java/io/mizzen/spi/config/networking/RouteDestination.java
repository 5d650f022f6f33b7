package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;

/**
 * One weighted destination of a TCP or TLS route.
 *
 * @param destination where to send
 * @param weight share of connections 0-100; unset means 100 for a single destination
 */
public record RouteDestination(@Required Destination destination, Integer weight) {
  /** The weight, 100 when unset. */
  public int effectiveWeight() {
    return weight == null ? 100 : weight;
  }
}
