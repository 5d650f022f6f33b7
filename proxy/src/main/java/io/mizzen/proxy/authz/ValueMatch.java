package io.mizzen.proxy.authz;

import java.util.List;

/** Istio's value matching: exact, {@code *} alone, {@code prefix*} or {@code *suffix}. */
final class ValueMatch {
  private ValueMatch() {}

  static boolean matches(String pattern, String value) {
    if (pattern.equals("*")) {
      return !value.isEmpty();
    }
    if (pattern.endsWith("*")) {
      return value.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    if (pattern.startsWith("*")) {
      return value.endsWith(pattern.substring(1));
    }
    return pattern.equals(value);
  }

  static boolean any(List<String> patterns, String value) {
    for (String p : patterns) {
      if (matches(p, value)) {
        return true;
      }
    }
    return false;
  }

  static boolean anyIgnoreCase(List<String> patterns, String value) {
    String lower = value.toLowerCase(java.util.Locale.ROOT);
    for (String p : patterns) {
      if (matches(p.toLowerCase(java.util.Locale.ROOT), lower)) {
        return true;
      }
    }
    return false;
  }

  /** An unset list does not constrain; a set one must match (or, for a "not" list, must not). */
  static boolean constrain(List<String> in, List<String> notIn, java.util.function.Predicate<List<String>> test) {
    if (in != null && !in.isEmpty() && !test.test(in)) {
      return false;
    }
    return notIn == null || notIn.isEmpty() || !test.test(notIn);
  }
}
