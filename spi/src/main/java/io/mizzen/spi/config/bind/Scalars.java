package io.mizzen.spi.config.bind;

import io.mizzen.spi.ConfigError;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The scalar rules of {@link ReflectiveBinder}: strings, booleans, numbers, durations, enums. */
final class Scalars {
  private Scalars() {}

  static Object bind(Object raw, Class<?> raw0, Type type, String path, List<ConfigError> errors) {
    if (raw0 == IntOrString.class) {
      if (raw instanceof Integer i) {
        return new IntOrString(i, null);
      }
      if (raw instanceof String s && !s.isEmpty()) {
        return new IntOrString(null, s);
      }
      errors.add(new ConfigError(path, "expected a number or a name, got " + describe(raw)));
      return null;
    }
    if (raw == null) {
      return null;
    }
    if (raw0 == String.class) {
      if (raw instanceof String s) {
        return s;
      }
      errors.add(new ConfigError(path, "expected a string, got " + describe(raw)));
      return null;
    }
    if (raw0 == Boolean.class || raw0 == boolean.class) {
      if (raw instanceof Boolean b) {
        return b;
      }
      errors.add(new ConfigError(path, "expected true or false, got " + describe(raw)));
      return null;
    }
    if (raw0 == Integer.class || raw0 == int.class) {
      Long l = integral(raw);
      if (l != null && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        return l.intValue();
      }
      errors.add(new ConfigError(path, "expected an integer, got " + describe(raw)));
      return null;
    }
    if (raw0 == Long.class || raw0 == long.class) {
      Long l = integral(raw);
      if (l != null) {
        return l;
      }
      errors.add(new ConfigError(path, "expected an integer, got " + describe(raw)));
      return null;
    }
    if (raw0 == Double.class || raw0 == double.class) {
      if (raw instanceof Number n) {
        return n.doubleValue();
      }
      errors.add(new ConfigError(path, "expected a number, got " + describe(raw)));
      return null;
    }
    if (raw0 == Duration.class) {
      if (raw instanceof String s) {
        var d = IstioDuration.parse(s);
        if (d.isPresent()) {
          return d.get();
        }
      }
      errors.add(new ConfigError(path, "invalid duration " + describe(raw)
          + ": expected a number with a unit h, m, s, ms, us or ns, such as 1s, 0.5s, 100ms or 1h, at most "
          + IstioDuration.MAX.toHours() + "h"));
      return null;
    }
    if (raw0.isEnum()) {
      if (raw instanceof String s) {
        for (Object constant : raw0.getEnumConstants()) {
          if (((Enum<?>) constant).name().equals(s)) {
            return constant;
          }
        }
      }
      errors.add(new ConfigError(path, "invalid value " + describe(raw) + ": expected one of "
          + Arrays.stream(raw0.getEnumConstants()).map(String::valueOf).collect(Collectors.joining(", "))));
      return null;
    }
    throw new IllegalStateException("the binder has no rule for " + type + " at " + path);
  }

  private static Long integral(Object raw) {
    if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof java.math.BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return d.longValue();
    }
    return null;
  }

  static String describe(Object raw) {
    if (raw == null) {
      return "nothing";
    }
    if (raw instanceof String s) {
      return "'" + s + "'";
    }
    if (raw instanceof Map<?, ?>) {
      return "a map";
    }
    if (raw instanceof List<?>) {
      return "a list";
    }
    if (raw instanceof Boolean b) {
      return "boolean " + b;
    }
    return "number " + raw;
  }

}
