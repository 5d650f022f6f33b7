package io.mizzen.proxy.engine;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
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
    if (headers instanceof FlatHeaders flat && !connectionNamesOthers(flat)) {
      // Most messages: one pass, no list (Connection, if any, says only keep-alive or close).
      flat.removeIf(HopByHop::isHopByHop);
      return;
    }
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
        removeNamedIn(headers, value);
      }
      headers.remove(HttpHeaderNames.CONNECTION);
    }
    headers.remove(HttpHeaderNames.KEEP_ALIVE);
    headers.remove(HttpHeaderNames.PROXY_CONNECTION);
    headers.remove(HttpHeaderNames.UPGRADE);
    if (headers.contains(HttpHeaderNames.TE)) {
      // Each TE line but "trailers" (what gRPC needs to pass) goes.
      List<String> te = headers.getAll(HttpHeaderNames.TE);
      headers.remove(HttpHeaderNames.TE);
      for (String value : te) {
        if (value.equalsIgnoreCase(HttpHeaderValues.TRAILERS.toString())) {
          headers.add(HttpHeaderNames.TE, value);
        }
      }
    }
  }

  /** Connection, Keep-Alive, Proxy-Connection, Upgrade, and TE but for {@code TE: trailers}. */
  private static boolean isHopByHop(CharSequence name, CharSequence value) {
    return switch (name.length()) {
      case 2 -> HttpHeaderValidationUtil.isTeNotTrailers(name, value);
      case 7 -> HttpHeaderNames.UPGRADE.contentEqualsIgnoreCase(name);
      case 10 -> HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)
          || HttpHeaderNames.KEEP_ALIVE.contentEqualsIgnoreCase(name);
      case 16 -> HttpHeaderNames.PROXY_CONNECTION.contentEqualsIgnoreCase(name);
      default -> false;
    };
  }

  /** Whether a Connection value names a header other than keep-alive and close (to be removed too). */
  private static boolean connectionNamesOthers(FlatHeaders headers) {
    for (int i = 0; i < headers.size(); i++) {
      CharSequence name = headers.nameAt(i);
      if (name.length() == 10 && HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)) {
        CharSequence value = headers.valueAt(i);
        if (!HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value)
            && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(value)) {
          return true;
        }
      }
    }
    return false;
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
