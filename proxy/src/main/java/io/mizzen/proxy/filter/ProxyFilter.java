package io.mizzen.proxy.filter;

import io.netty.handler.codec.http.HttpResponse;

/**
 * One link of the proxy's filter chain. {@link #onRequest} runs on the event loop as the request
 * head arrives, in chain order; {@link #onResponse} runs as the response head passes back, in
 * reverse order. A filter that has nothing to wait for answers synchronously, so a plain request
 * costs no Future.
 */
public interface ProxyFilter {

  /**
   * Looks at (and may change) the request head.
   *
   * @return {@code null} to go on at once, or a step: answer locally, wait, or delay
   */
  FilterStep onRequest(RequestContext request);

  /** Looks at (and may change) the response head before it goes to the client. */
  default void onResponse(RequestContext request, HttpResponse response) {}
}
