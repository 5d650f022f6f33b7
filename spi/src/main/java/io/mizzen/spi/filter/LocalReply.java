package io.mizzen.spi.filter;

import java.util.Map;

/**
 * An answer a filter gives in the proxy's stead, ending the request there.
 *
 * @param status the HTTP status
 * @param headers extra response headers
 * @param body the body, as text
 */
public record LocalReply(int status, Map<String, String> headers, String body) {
  public LocalReply {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status " + status + " is not an HTTP status");
    }
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    body = body == null ? "" : body;
  }
}
