package io.mizzen.proxy.engine;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Strips the headers that describe one connection, not the message (RFC 9110 §7.6.1), before a
 * message crosses the proxy. Transfer-Encoding stays: bodies are forwarded in the framing they
 * arrived in, and the codec re-frames them accordingly.
 */
final class HopByHop {
  private HopByHop() {}

  static void strip(HttpHeaders headers) {
    List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
    if (!connection.isEmpty()) {
      for (String value : connection) {
        for (String token : value.split(",")) {
          String name = token.trim();
          if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
            headers.remove(name);
          }
        }
      }
      headers.remove(HttpHeaderNames.CONNECTION);
    }
    headers.remove(HttpHeaderNames.KEEP_ALIVE);
    headers.remove(HttpHeaderNames.PROXY_CONNECTION);
    headers.remove(HttpHeaderNames.UPGRADE);
    String te = headers.get(HttpHeaderNames.TE);
    if (te != null && !te.equalsIgnoreCase(HttpHeaderValues.TRAILERS.toString())) {
      headers.remove(HttpHeaderNames.TE);
    }
  }
}
