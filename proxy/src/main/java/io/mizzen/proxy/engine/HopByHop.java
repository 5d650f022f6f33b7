package io.mizzen.proxy.engine;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Strips the headers that describe one connection, not the message (RFC 9110 §7.6.1), before a
 * message crosses the proxy. Transfer-Encoding stays: bodies are forwarded in the framing they
 * arrived in, and the codec re-frames them accordingly.
 */
final class HopByHop {
  private HopByHop() {}

  static void strip(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
        removeNamedIn(headers, value);
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

  /**
   * Removes the headers a Connection value names, scanning its tokens in place: the common
   * {@code keep-alive} or {@code close} costs no split and no substring.
   */
  private static void removeNamedIn(HttpHeaders headers, String value) {
    int n = value.length();
    int i = 0;
    while (i < n) {
      int comma = value.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int from = i;
      int to = end;
      while (from < to && value.charAt(from) <= ' ') {
        from++;
      }
      while (to > from && value.charAt(to - 1) <= ' ') {
        to--;
      }
      int len = to - from;
      if (len > 0 && !(len == 5 && value.regionMatches(true, from, "close", 0, 5))
          && !(len == 10 && value.regionMatches(true, from, "keep-alive", 0, 10))) {
        headers.remove(value.substring(from, to));
      }
      i = end + 1;
    }
  }
}
