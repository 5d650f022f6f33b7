package io.mizzen.proxy.gateway;

import java.util.Locale;

/** Istio's host wildcards: {@code *}, exact (case-insensitive) and {@code *.suffix}. */
public final class HostMatch {
  private HostMatch() {}

  /**
   * Whether {@code pattern} (a Gateway server host or an SNI match) covers {@code host}. A host
   * that is itself a wildcard is covered by {@code *} or the same wildcard, and covers any
   * pattern (a VirtualService with {@code *} is served by every server).
   */
  public static boolean matches(String pattern, String host) {
    if (pattern == null || host == null) {
      return false;
    }
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (p.equals("*") || p.equals(h) || h.equals("*")) {
      return true;
    }
    if (p.startsWith("*.") || p.startsWith("*")) {
      return h.endsWith(p.substring(1));
    }
    if (h.startsWith("*")) {
      return p.endsWith(h.substring(1));
    }
    return false;
  }
}
