package io.mizzen.proxy.route;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Istio's StringMatch: exact, prefix or (RE2-style, anchored) regex.
 *
 * @param kind which comparison
 * @param value the literal or the expression
 * @param pattern the compiled expression for {@link Kind#REGEX}, else {@code null}
 */
public record StringMatch(Kind kind, String value, Pattern pattern) {
  /** The three comparisons Istio offers. */
  public enum Kind { EXACT, PREFIX, REGEX }

  public static StringMatch exact(String value) {
    return new StringMatch(Kind.EXACT, value, null);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(Kind.PREFIX, value, null);
  }

  /** A full-string regex match, as Envoy's safe_regex does. */
  public static StringMatch regex(String value) {
    return new StringMatch(Kind.REGEX, value, Pattern.compile(value));
  }

  /** Whether {@code input} matches; {@code null} input never does. */
  public boolean matches(String input, boolean ignoreCase) {
    if (input == null) {
      return false;
    }
    switch (kind) {
      case EXACT:
        return ignoreCase ? input.equalsIgnoreCase(value) : input.equals(value);
      case PREFIX:
        return ignoreCase
            ? input.regionMatches(true, 0, value, 0, value.length())
            : input.startsWith(value);
      default:
        Pattern p = ignoreCase ? Pattern.compile(value, Pattern.CASE_INSENSITIVE) : pattern;
        return p.matcher(input).matches();
    }
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT) + ":" + value;
  }
}
