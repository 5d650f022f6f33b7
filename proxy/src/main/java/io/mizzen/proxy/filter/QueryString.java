package io.mizzen.proxy.filter;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads a parameter from a raw query string without building a map per request. */
final class QueryString {
  private QueryString() {}

  static String first(String query, String name) {
    int start = 0;
    int len = query.length();
    while (start < len) {
      int amp = query.indexOf('&', start);
      int end = amp < 0 ? len : amp;
      int eq = query.indexOf('=', start);
      int nameEnd = eq < 0 || eq > end ? end : eq;
      if (decode(query.substring(start, nameEnd)).equals(name)) {
        return nameEnd == end ? "" : decode(query.substring(nameEnd + 1, end));
      }
      start = end + 1;
    }
    return null;
  }

  private static String decode(String s) {
    return s.indexOf('%') < 0 && s.indexOf('+') < 0 ? s : URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
