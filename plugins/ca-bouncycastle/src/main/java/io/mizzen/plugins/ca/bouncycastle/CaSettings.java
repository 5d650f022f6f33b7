package io.mizzen.plugins.ca.bouncycastle;

import io.mizzen.spi.ConfigError;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CA's settings ({@code plugins.settings.bouncycastle} in {@code mizzen.yaml}).
 *
 * @param cacertsDir a folder in Istio's {@code cacerts} layout to sign with; empty to generate
 *     (once) and keep a self-signed root in the plugin's state folder
 * @param rootTtl lifetime of a generated root (Istio: 10 years)
 * @param rootRotateBefore a generated root with less than this left at start is replaced; the old
 *     one stays trusted until it expires (1 year)
 * @param workloadTtl lifetime of a workload certificate when the request names none (24 h)
 * @param maxWorkloadTtl the longest lifetime granted, longer requests are capped (Istio's
 *     {@code max-workload-cert-ttl}, 90 days)
 * @param allowRsa whether RSA keys (2048 bits or more) are signed besides ECDSA P-256/P-384
 * @param maxCsrBytes the largest CSR PEM accepted; a real one is under 1 KiB
 */
record CaSettings(
    Optional<Path> cacertsDir,
    Duration rootTtl,
    Duration rootRotateBefore,
    Duration workloadTtl,
    Duration maxWorkloadTtl,
    boolean allowRsa,
    int maxCsrBytes) {

  static final Duration DEFAULT_ROOT_TTL = Duration.ofDays(3650);
  static final Duration DEFAULT_ROOT_ROTATE_BEFORE = Duration.ofDays(365);
  static final Duration DEFAULT_WORKLOAD_TTL = Duration.ofHours(24);
  static final Duration DEFAULT_MAX_WORKLOAD_TTL = Duration.ofDays(90);
  static final int DEFAULT_MAX_CSR_BYTES = 16 * 1024;
  private static final Set<String> KNOWN =
      Set.of("cacertsDir", "rootTtl", "rootRotateBefore", "workloadTtl", "maxWorkloadTtl", "allowRsa", "maxCsrBytes");
  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  static CaSettings defaults() {
    return new CaSettings(Optional.empty(), DEFAULT_ROOT_TTL, DEFAULT_ROOT_ROTATE_BEFORE, DEFAULT_WORKLOAD_TTL,
        DEFAULT_MAX_WORKLOAD_TTL, true, DEFAULT_MAX_CSR_BYTES);
  }

  /**
   * Reads and validates settings, collecting every error keyed by field.
   *
   * @throws IllegalArgumentException listing every error when any field is wrong
   */
  static CaSettings from(Map<String, Object> raw) {
    List<ConfigError> errors = new ArrayList<>();
    for (String key : raw.keySet()) {
      if (!KNOWN.contains(key)) {
        errors.add(new ConfigError(key, "unknown field (expected one of " + KNOWN + ")"));
      }
    }
    Optional<Path> cacerts = Optional.empty();
    Object dir = raw.get("cacertsDir");
    if (dir instanceof String s && !s.isBlank()) {
      cacerts = Optional.of(Path.of(s));
    } else if (dir != null && !(dir instanceof String)) {
      errors.add(new ConfigError("cacertsDir", "must be a folder path"));
    }
    Duration rootTtl = duration(raw, "rootTtl", DEFAULT_ROOT_TTL, errors);
    Duration rotateBefore = duration(raw, "rootRotateBefore", DEFAULT_ROOT_ROTATE_BEFORE, errors);
    if (rotateBefore.compareTo(rootTtl) >= 0) {
      errors.add(new ConfigError("rootRotateBefore", "must be shorter than rootTtl (" + rootTtl + "), or every start would make a new root"));
    }
    Duration workloadTtl = duration(raw, "workloadTtl", DEFAULT_WORKLOAD_TTL, errors);
    Duration maxTtl = duration(raw, "maxWorkloadTtl", DEFAULT_MAX_WORKLOAD_TTL, errors);
    if (workloadTtl.compareTo(maxTtl) > 0) {
      errors.add(new ConfigError("workloadTtl", "must not exceed maxWorkloadTtl (" + maxTtl + ")"));
    }
    boolean allowRsa = true;
    Object rsa = raw.get("allowRsa");
    if (rsa instanceof Boolean b) {
      allowRsa = b;
    } else if (rsa != null) {
      errors.add(new ConfigError("allowRsa", "must be true or false"));
    }
    int maxCsr = DEFAULT_MAX_CSR_BYTES;
    Object size = raw.get("maxCsrBytes");
    if (size instanceof Integer i && i >= 512 && i <= 1024 * 1024) {
      maxCsr = i;
    } else if (size != null) {
      errors.add(new ConfigError("maxCsrBytes", "must be a whole number of bytes between 512 and 1048576"));
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid ca-bouncycastle settings: " + errors);
    }
    return new CaSettings(cacerts, rootTtl, rotateBefore, workloadTtl, maxTtl, allowRsa, maxCsr);
  }

  /** Accepts Istio's Go-style durations ({@code 24h}, {@code 90m}, {@code 1h30m}) and ISO-8601. */
  static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.startsWith("P") || t.startsWith("p")) {
      return Duration.parse(t);
    }
    Matcher m = GO_DURATION.matcher(t);
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        break;
      }
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
      throw new IllegalArgumentException("'" + text + "' is not a duration (use 24h, 90m, 30s or PT24H)");
    }
    return total;
  }

  private static Duration duration(Map<String, Object> raw, String field, Duration fallback, List<ConfigError> errors) {
    Object value = raw.get(field);
    if (value == null) {
      return fallback;
    }
    try {
      Duration d = parseDuration(String.valueOf(value));
      if (d.isNegative() || d.isZero()) {
        errors.add(new ConfigError(field, "must be positive"));
        return fallback;
      }
      return d;
    } catch (IllegalArgumentException | DateTimeParseException e) {
      errors.add(new ConfigError(field, e.getMessage()));
      return fallback;
    }
  }
}
