package io.mizzen.spi.mixer;

import java.util.Map;

/**
 * One Check call: the request's attributes and the quotas to allocate with it.
 *
 * @param attributes the request's attributes
 * @param quotas quota instance names (as QuotaSpecs name them, such as {@code requestcountquota})
 *     to the amount asked; empty to let Mixer apply the QuotaSpecBindings of the destination
 *     service ({@code destination.service.name} / {@code destination.service.namespace})
 */
public record CheckRequest(AttributeBag attributes, Map<String, QuotaArgs> quotas) {
  public CheckRequest {
    quotas = quotas == null ? Map.of() : Map.copyOf(quotas);
  }

  /** A check with no explicit quotas (the bindings apply). */
  public static CheckRequest of(AttributeBag attributes) {
    return new CheckRequest(attributes, Map.of());
  }
}
