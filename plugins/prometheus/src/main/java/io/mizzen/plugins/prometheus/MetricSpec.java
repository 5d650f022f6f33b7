package io.mizzen.plugins.prometheus;

import io.mizzen.spi.mixer.AdapterParams;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One entry of the handler's {@code metrics}: which instance feeds which Prometheus metric.
 *
 * @param fullName the exposed name, {@code <namespace>_<name>} ({@code istio_requests_total})
 * @param instanceName the metric instance's full name, {@code requestcount.metric.istio-system}
 * @param kind COUNTER, GAUGE or DISTRIBUTION
 * @param labels the label names, taken from the instance's dimensions
 * @param bounds the finite histogram bucket bounds, ascending (DISTRIBUTION only)
 */
record MetricSpec(String fullName, String description, String instanceName, Kind kind, List<String> labels, double[] bounds) {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  static final double[] DEFAULT_BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /**
   * The most bounds a histogram may have. Every series of a histogram keeps one counter per bucket,
   * so a count beyond this is a config mistake (or an overflowing one: {@code 2147483648}), refused
   * at config time rather than allocated.
   */
  static final int MAX_BUCKETS = 1_000;

  /** Prometheus metric kinds as Istio names them. */
  enum Kind { COUNTER, GAUGE, DISTRIBUTION }

  static MetricSpec read(AdapterParams p) {
    p.only("name", "namespace", "instanceName", "description", "kind", "labelNames", "buckets");
    String name = p.string("name", "");
    String namespace = p.string("namespace", "istio");
    String full = namespace.isEmpty() ? name : namespace + "_" + name;
    if (name.isEmpty()) {
      p.error("name", "is required");
    } else if (!NAME.matcher(full).matches()) {
      p.error("name", "'" + full + "' is not a valid Prometheus metric name");
    }
    String instance = p.string("instanceName", "");
    if (instance.isEmpty()) {
      p.error("instanceName", "is required (the metric instance's full name, such as requestcount.metric.istio-system)");
    }
    Kind kind = Kind.valueOf(p.choice("kind", "COUNTER", "COUNTER", "GAUGE", "DISTRIBUTION"));
    List<String> labels = p.strings("labelNames");
    for (int i = 0; i < labels.size(); i++) {
      if (!LABEL.matcher(labels.get(i)).matches() || labels.get(i).startsWith("__")) {
        p.error("labelNames[" + i + "]", "'" + labels.get(i) + "' is not a valid Prometheus label name");
      }
    }
    double[] bounds = kind == Kind.DISTRIBUTION ? bounds(p.object("buckets")) : new double[0];
    return new MetricSpec(full, p.string("description", ""), instance, kind, List.copyOf(labels), bounds);
  }

  private static double[] bounds(AdapterParams b) {
    b.only("explicitBuckets", "linearBuckets", "exponentialBuckets");
    if (b.has("explicitBuckets")) {
      AdapterParams e = b.object("explicitBuckets").only("bounds");
      List<String> raw = e.strings("bounds");
      if (raw.size() > MAX_BUCKETS) {
        e.error("bounds", "at most " + MAX_BUCKETS + " bounds, not " + raw.size());
        return DEFAULT_BOUNDS.clone();
      }
      double[] out = new double[raw.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = parse(e, "bounds[" + i + "]", raw.get(i), 0);
        if (i > 0 && out[i] <= out[i - 1]) {
          e.error("bounds[" + i + "]", "bounds must ascend");
        }
      }
      return out;
    }
    if (b.has("linearBuckets")) {
      AdapterParams l = b.object("linearBuckets").only("numFiniteBuckets", "width", "offset");
      int n = (int) l.integer("numFiniteBuckets", 1, 1, MAX_BUCKETS - 1);
      double width = number(l, "width", 1);
      if (width <= 0) {
        l.error("width", "must be positive");
      }
      double offset = number(l, "offset", 0);
      double[] out = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        out[i] = offset + width * i;
      }
      return finite(l, "width", out);
    }
    if (b.has("exponentialBuckets")) {
      AdapterParams x = b.object("exponentialBuckets").only("numFiniteBuckets", "growthFactor", "scale");
      int n = (int) x.integer("numFiniteBuckets", 1, 1, MAX_BUCKETS - 1);
      double growth = number(x, "growthFactor", 2);
      double scale = number(x, "scale", 1);
      if (growth <= 1) {
        x.error("growthFactor", "must be greater than 1");
      }
      if (scale <= 0) {
        x.error("scale", "must be positive");
      }
      double[] out = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        out[i] = scale * Math.pow(growth, i);
      }
      return finite(x, "growthFactor", out);
    }
    return DEFAULT_BOUNDS.clone();
  }

  /** Generated bounds whose last one overflows a double are refused on {@code field}, not exposed as +Inf twice. */
  private static double[] finite(AdapterParams p, String field, double[] out) {
    double last = out[out.length - 1];
    if (!Double.isFinite(last)) {
      p.error(field, "the last bucket bound (" + last + ") is not a finite number; use fewer or narrower buckets");
    }
    return out;
  }

  private static double number(AdapterParams p, String field, double fallback) {
    String v = p.string(field, null);
    return v == null ? fallback : parse(p, field, v, fallback);
  }

  private static double parse(AdapterParams p, String field, String v, double fallback) {
    try {
      double d = Double.parseDouble(v);
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // refused below, with the text as written
    }
    p.error(field, "must be a finite number, not " + v);
    return fallback;
  }

  /** Same exposed shape: two handlers may feed one metric only if they agree on it. */
  boolean sameShape(MetricSpec o) {
    return kind == o.kind && labels.equals(o.labels) && java.util.Arrays.equals(bounds, o.bounds);
  }

  static List<MetricSpec> readAll(AdapterParams p) {
    List<MetricSpec> out = new ArrayList<>();
    for (AdapterParams m : p.objects("metrics")) {
      out.add(read(m));
    }
    return out;
  }
}
