package io.mizzen.kernel.citadel;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Istio writes them ({@code 24h}, {@code 90m}, {@code 1h30m}, {@code 7d}), or ISO-8601 ({@code PT24H}). */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private GoDuration() {}

  /** @throws IllegalArgumentException quoting {@code text} when it is not a duration */
  public static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    try {
      if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (use 30m, 24h, 7d or PT24H)");
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find() && m.start() == end) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
      end = m.end();
    }
    if (end == 0 || end != t.length()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (use 30m, 24h, 7d or PT24H)");
    }
    return total;
  }
}
