package io.mizzen.spi.mixer;

import io.mizzen.spi.ConfigError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed reading of a handler's params (as YAML gave them: maps, lists, strings, numbers,
 * booleans) that collects every problem keyed by field instead of stopping at the first, as
 * {@link MixerAdapter#validate} must. Each getter returns the default (or null) after recording
 * an error, so validation code reads straight through.
 */
public final class AdapterParams {
  private final Map<String, Object> params;
  private final String prefix;
  private final List<ConfigError> errors;

  private AdapterParams(Map<String, Object> params, String prefix, List<ConfigError> errors) {
    this.params = params == null ? Map.of() : params;
    this.prefix = prefix;
    this.errors = errors;
  }

  /** Reads {@code params}; field paths in errors are relative to the params root. */
  public static AdapterParams of(Map<String, Object> params) {
    return new AdapterParams(params, "", new ArrayList<>());
  }

  /** The errors found so far (shared with nested readers). */
  public List<ConfigError> errors() {
    return errors;
  }

  /** Records an error at {@code field} (relative to this reader). */
  public void error(String field, String message) {
    errors.add(new ConfigError(path(field), message));
  }

  /** Refuses keys other than {@code allowed} (a typo such as {@code blaklist} is an error). */
  public AdapterParams only(String... allowed) {
    Set<String> known = new TreeSet<>(List.of(allowed));
    for (String k : params.keySet()) {
      if (!known.contains(k)) {
        error(k, "unknown field (known: " + known + ")");
      }
    }
    return this;
  }

  /** Whether {@code field} is set (and not null). */
  public boolean has(String field) {
    return params.get(field) != null;
  }

  /** {@code field} as text (numbers and booleans as written), or {@code fallback} when unset. */
  public String string(String field, String fallback) {
    Object v = params.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Map || v instanceof List) {
      error(field, "must be a string");
      return fallback;
    }
    return v.toString();
  }

  /** {@code field} as a boolean, or {@code fallback} when unset or not a boolean (recorded). */
  public boolean bool(String field, boolean fallback) {
    Object v = params.get(field);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    error(field, "must be true or false, not " + v);
    return fallback;
  }

  /** {@code field} as an integer of at least {@code min}, or {@code fallback} when unset or invalid (recorded). */
  public long integer(String field, long fallback, long min) {
    return integer(field, fallback, min, Long.MAX_VALUE);
  }

  /**
   * {@code field} as an integer from {@code min} to {@code max}, or {@code fallback} when unset or
   * invalid (recorded). Callers that keep the value in an {@code int} pass a {@code max} that fits
   * one, so that a value past it is refused rather than wrapped.
   */
  public long integer(String field, long fallback, long min, long max) {
    Object v = params.get(field);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n) || Math.rint(n.doubleValue()) != n.doubleValue()) {
      error(field, "must be an integer, not " + v);
      return fallback;
    }
    boolean fitsLong = n instanceof java.math.BigInteger big ? big.bitLength() <= 63 : n.doubleValue() == n.longValue();
    if (!fitsLong || n.longValue() < min || n.longValue() > max) {
      error(field, max == Long.MAX_VALUE && fitsLong ? "must be at least " + min + ", not " + n
          : "must be from " + min + " to " + max + ", not " + n);
      return fallback;
    }
    return n.longValue();
  }

  /** A Go-style duration ({@code 1s}, {@code 500ms}); negative durations are refused. */
  public Duration duration(String field, Duration fallback) {
    Object v = params.get(field);
    if (v == null) {
      return fallback;
    }
    try {
      Duration d = AttributeValues.duration(v.toString());
      if (d.isNegative()) {
        error(field, "must not be negative");
        return fallback;
      }
      return d;
    } catch (IllegalArgumentException e) {
      error(field, e.getMessage());
      return fallback;
    }
  }

  /** One of {@code allowed}, case as written in Istio (upper case). */
  public String choice(String field, String fallback, String... allowed) {
    String v = string(field, fallback);
    if (v != null && !List.of(allowed).contains(v)) {
      error(field, "must be one of " + List.of(allowed) + ", not " + v);
      return fallback;
    }
    return v;
  }

  /** A list of strings (numbers and booleans are taken as written). */
  public List<String> strings(String field) {
    Object v = params.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      error(field, "must be a list");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      Object x = l.get(i);
      if (x == null || x instanceof Map || x instanceof List) {
        error(field + "[" + i + "]", "must be a string");
      } else {
        out.add(x.toString());
      }
    }
    return out;
  }

  /** A nested object, read with the same error list. */
  @SuppressWarnings("unchecked")
  public AdapterParams object(String field) {
    Object v = params.get(field);
    if (v != null && !(v instanceof Map)) {
      error(field, "must be a map");
    }
    return new AdapterParams(v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of(), path(field) + ".", errors);
  }

  /** A list of nested objects. */
  @SuppressWarnings("unchecked")
  public List<AdapterParams> objects(String field) {
    Object v = params.get(field);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> l)) {
      error(field, "must be a list");
      return List.of();
    }
    List<AdapterParams> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i) instanceof Map<?, ?> m) {
        out.add(new AdapterParams((Map<String, Object>) m, path(field) + "[" + i + "].", errors));
      } else {
        error(field + "[" + i + "]", "must be a map");
      }
    }
    return out;
  }

  /** A map of string to string (dimension overrides, say). */
  public Map<String, String> stringMap(String field) {
    Object v = params.get(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      error(field, "must be a map");
      return Map.of();
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    m.forEach((k, x) -> out.put(String.valueOf(k), String.valueOf(x)));
    return out;
  }

  private String path(String field) {
    return prefix + field;
  }
}
