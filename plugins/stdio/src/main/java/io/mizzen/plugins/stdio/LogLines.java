package io.mizzen.plugins.stdio;

import io.mizzen.spi.mixer.Instance;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Turns instances into lines the way Istio's stdio adapter did: level, time, instance, then the variables. */
final class LogLines {
  private static final String[] LEVEL_NAMES = {"info", "warn", "error"};
  private final StdioAdapter.Params params;

  LogLines(StdioAdapter.Params params) {
    this.params = params;
  }

  /** The line for {@code instance}, or null when its level is below the output level. */
  String format(Instance instance) {
    Map<String, Object> f = instance.fields();
    int level;
    Object time;
    Map<?, ?> values;
    JsonObject line = new JsonObject();
    if (instance.template().equals("metric")) {
      level = params.metricLevel();
      time = Instant.now();
      values = f.get("dimensions") instanceof Map<?, ?> d ? d : Map.of();
    } else {
      String severity = String.valueOf(f.getOrDefault("severity", "info")).toLowerCase(Locale.ROOT);
      level = params.severityLevels().getOrDefault(severity, defaultLevel(severity));
      time = f.getOrDefault("timestamp", Instant.now());
      values = f.get("variables") instanceof Map<?, ?> v ? v : Map.of();
    }
    if (level < params.outputLevel()) {
      return null;
    }
    line.put("level", LEVEL_NAMES[level]).put("time", json(time)).put("instance", instance.name());
    if (instance.template().equals("metric")) {
      line.put("value", json(f.get("value")));
    }
    // Sorted so that lines are stable and diffable, as Istio's zap encoder wrote them.
    new TreeMap<>(values).forEach((k, v) -> line.put(String.valueOf(k), json(v)));
    if (params.json()) {
      return line.encode();
    }
    StringBuilder b = new StringBuilder();
    line.forEach(e -> b.append(b.length() == 0 ? "" : "\t").append(e.getKey()).append('=').append(e.getValue()));
    return b.toString();
  }

  private static int defaultLevel(String severity) {
    if (severity.startsWith("warn")) {
      return 1;
    }
    return severity.startsWith("err") || severity.equals("critical") || severity.equals("alert") ? 2 : 0;
  }

  private static Object json(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
      return v;
    }
    if (v instanceof InetAddress a) {
      return a.getHostAddress();
    }
    if (v instanceof Duration d) {
      return goDuration(d);
    }
    if (v instanceof Instant i) {
      return i.toString();
    }
    if (v instanceof Map<?, ?> m) {
      JsonObject o = new JsonObject();
      new TreeMap<>(m).forEach((k, x) -> o.put(String.valueOf(k), json(x)));
      return o;
    }
    return v.toString();
  }

  /** Go's Duration.String() for what proxies report: {@code 1.5ms}, {@code 2s}, {@code 0s}. */
  static String goDuration(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) {
      return "0s";
    }
    if (Math.abs(nanos) < 1_000) {
      return nanos + "ns";
    }
    if (Math.abs(nanos) < 1_000_000) {
      return trim(nanos / 1e3) + "µs";
    }
    if (Math.abs(nanos) < 1_000_000_000) {
      return trim(nanos / 1e6) + "ms";
    }
    return trim(nanos / 1e9) + "s";
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.6f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
