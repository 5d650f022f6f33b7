package io.mizzen.spi.config.networking;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One HTTP rule of a VirtualService: when any of {@code match} holds (or always, when empty),
 * apply the action: route, redirect or direct response.
 *
 * @param name the rule's name, for logs and stats
 * @param match alternative conditions; empty matches everything
 * @param route weighted destinations
 * @param redirect answer with a redirect instead
 * @param rewrite rewrite the path or authority before forwarding
 * @param timeout the whole request's timeout, or {@code null} for none
 * @param retries the retry policy, or {@code null}
 * @param fault faults to inject, or {@code null}
 * @param mirror also send a copy to this destination, or {@code null}
 * @param mirrorPercent share of requests mirrored, integer 0-100 (deprecated form)
 * @param mirrorPercentage share of requests mirrored, 0.0-100.0
 * @param corsPolicy CORS, or {@code null}
 * @param headers header edits for the whole rule
 * @param directResponse answer directly instead (later Istio)
 * @param websocketUpgrade deprecated Istio 1.0 flag, read and ignored (websockets always pass)
 * @param appendHeaders deprecated Istio 1.0 form of {@code headers.request.add}
 * @param removeResponseHeaders deprecated Istio 1.0 form of {@code headers.response.remove}
 * @param appendResponseHeaders deprecated Istio 1.0 form of {@code headers.response.add}
 * @param removeRequestHeaders deprecated Istio 1.0 form of {@code headers.request.remove}
 * @param appendRequestHeaders deprecated Istio 1.0 form of {@code headers.request.add}
 */
public record HttpRoute(
    String name,
    List<HttpMatchRequest> match,
    List<HttpRouteDestination> route,
    HttpRedirect redirect,
    HttpRewrite rewrite,
    Duration timeout,
    HttpRetry retries,
    HttpFaultInjection fault,
    Destination mirror,
    Integer mirrorPercent,
    Percent mirrorPercentage,
    CorsPolicy corsPolicy,
    Headers headers,
    HttpDirectResponse directResponse,
    Boolean websocketUpgrade,
    Map<String, String> appendHeaders,
    List<String> removeResponseHeaders,
    Map<String, String> appendResponseHeaders,
    List<String> removeRequestHeaders,
    Map<String, String> appendRequestHeaders) {

  /** The share of requests mirrored, in percent: 100 when a mirror is set and no share is given. */
  public double effectiveMirrorPercent() {
    if (mirrorPercentage != null && mirrorPercentage.value() != null) {
      return mirrorPercentage.value();
    }
    return mirrorPercent == null ? 100d : mirrorPercent;
  }
}
