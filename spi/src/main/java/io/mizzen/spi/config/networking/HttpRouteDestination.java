package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Map;

/**
 * One weighted destination of an HTTP route.
 *
 * @param destination where to send
 * @param weight share of traffic 0-100; the weights of a route sum to 100 (a single destination
 *     may leave it unset, meaning 100)
 * @param headers header edits for traffic to this destination
 * @param removeResponseHeaders deprecated Istio 1.0 form of {@code headers.response.remove}
 * @param appendResponseHeaders deprecated Istio 1.0 form of {@code headers.response.add}
 * @param removeRequestHeaders deprecated Istio 1.0 form of {@code headers.request.remove}
 * @param appendRequestHeaders deprecated Istio 1.0 form of {@code headers.request.add}
 */
public record HttpRouteDestination(
    @Required Destination destination,
    Integer weight,
    Headers headers,
    List<String> removeResponseHeaders,
    Map<String, String> appendResponseHeaders,
    List<String> removeRequestHeaders,
    Map<String, String> appendRequestHeaders) {

  /** The weight, 100 when unset (Istio's single-destination default). */
  public int effectiveWeight() {
    return weight == null ? 100 : weight;
  }
}
