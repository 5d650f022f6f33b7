package io.mizzen.spi.config.bind;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Istio's duration syntax: a protobuf duration ({@code "1s"}, {@code "0.5s"}) or Go's form
 * ({@code "100ms"}, {@code "1m30s"}, {@code "1h"}), units {@code h m s ms us µs ns}, never
 * negative, and at most {@link #MAX} (Go's limit: its durations are int64 nanoseconds too).
 */
public final class IstioDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(h|ms|m|s|us|µs|ns)");

  /** The longest duration read: {@code Long.MAX_VALUE} nanoseconds, about 292 years. */
  public static final Duration MAX = Duration.ofNanos(Long.MAX_VALUE);

  private IstioDuration() {}

  /** The duration {@code text} stands for, or empty when it is not a valid Istio duration. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = PART.matcher(text);
    int at = 0;
    BigDecimal nanos = BigDecimal.ZERO;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        return Optional.empty();
      }
      BigDecimal amount = new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1));
      nanos = nanos.add(amount.multiply(BigDecimal.valueOf(nanosPer(m.group(2)))));
      at = m.end();
    }
    // Fractions of a nanosecond are dropped; a value beyond MAX is not a duration (taking its
    // low 64 bits, as longValue() would, reads "999999999999h" as some unrelated time, or a negative one).
    BigInteger whole = nanos.toBigInteger();
    if (whole.bitLength() >= 64) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(whole.longValue()));
  }

  /** Renders {@code d} the way Istio writes it: {@code "7s"}, {@code "0.5s"}, {@code "0.000100s"}. */
  public static String format(Duration d) {
    BigDecimal seconds = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9));
    return seconds.stripTrailingZeros().toPlainString() + "s";
  }

  private static long nanosPer(String unit) {
    return switch (unit) {
      case "h" -> 3_600_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "s" -> 1_000_000_000L;
      case "ms" -> 1_000_000L;
      case "us", "µs" -> 1_000L;
      default -> 1L;
    };
  }
}
