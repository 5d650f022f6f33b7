package io.mizzen.spi.mixer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Parsers for attribute values written as text in Istio config: Go-style durations
 * ({@code 10s}, {@code 1.5h}, {@code 1h30m}, {@code 100ms}), literal IP addresses (never a DNS
 * lookup), RFC 3339 timestamps. Shared by the kernel and adapters so that both read a duration
 * the same way. Each throws {@link IllegalArgumentException} saying what was expected.
 */
public final class AttributeValues {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  private AttributeValues() {}

  /** A Go duration such as {@code 10s}, {@code 0.5s}, {@code 1h30m}, {@code 250ms}, {@code 0}. */
  public static Duration duration(String text) {
    String s = text.trim();
    if (s.equals("0") || s.equals("+0") || s.equals("-0")) {
      return Duration.ZERO;
    }
    boolean negative = s.startsWith("-");
    if (negative || s.startsWith("+")) {
      s = s.substring(1);
    }
    if (s.isEmpty()) {
      throw badDuration(text);
    }
    double nanos = 0;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw badDuration(text);
      }
      double number;
      try {
        number = Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw badDuration(text);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      double scale = switch (s.substring(unitStart, i)) {
        case "ns" -> 1;
        case "us", "µs", "μs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        default -> throw badDuration(text);
      };
      nanos += number * scale;
    }
    long n = Math.round(nanos);
    return Duration.ofNanos(negative ? -n : n);
  }

  /** Whether {@code text} is a Go duration. */
  public static boolean isDuration(String text) {
    try {
      duration(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A literal IPv4 or IPv6 address; host names are refused (no DNS lookup ever happens). */
  public static InetAddress ipAddress(String text) {
    String s = text.trim();
    var v4 = IPV4.matcher(s);
    boolean ok = false;
    if (v4.matches()) {
      ok = true;
      for (int g = 1; g <= 4; g++) {
        ok &= Integer.parseInt(v4.group(g)) <= 255;
      }
    } else if (IPV6.matcher(s).matches()) {
      ok = true;
    }
    if (!ok) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address");
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address", e);
    }
  }

  /** An RFC 3339 timestamp such as {@code 2017-01-01T00:00:00Z}. */
  public static Instant timestamp(String text) {
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not an RFC 3339 timestamp", e);
    }
  }

  private static IllegalArgumentException badDuration(String text) {
    return new IllegalArgumentException("'" + text + "' is not a duration (such as 10s, 1.5h, 100ms, 1h30m)");
  }
}
