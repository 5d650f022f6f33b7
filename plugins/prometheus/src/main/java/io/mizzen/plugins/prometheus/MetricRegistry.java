package io.mizzen.plugins.prometheus;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The adapter's metrics, shared by all its handlers so series survive config changes (a new
 * handler version keeps counting where the old one stopped, as a Prometheus counter must).
 * Series are updated from event loops and read by scrapes; each series guards itself.
 */
final class MetricRegistry {
  private final Map<String, Family> families = new ConcurrentHashMap<>();
  /** One list object per set of label names, so families that share them can share a key. */
  private final Map<List<String>, List<String>> labelLists = new ConcurrentHashMap<>();

  /**
   * Registers {@code spec}, or returns the family already there if its shape agrees.
   *
   * @throws IllegalArgumentException when a metric of that name exists with other labels or kind
   */
  Family register(MetricSpec spec) {
    Family f = families.computeIfAbsent(spec.fullName(), n -> new Family(spec,
        labelLists.computeIfAbsent(spec.labels(), l -> l)));
    if (!f.spec.sameShape(spec)) {
      throw new IllegalArgumentException("metric " + spec.fullName() + " is already exposed as " + f.spec.kind()
          + " with labels " + f.spec.labels() + "; a handler cannot expose it as " + spec.kind() + " with labels " + spec.labels());
    }
    return f;
  }

  /** The text exposition format (version 0.0.4), families sorted by name. */
  String scrape() {
    StringBuilder b = new StringBuilder();
    families.keySet().stream().sorted().forEach(n -> families.get(n).write(b));
    return b.toString();
  }

  /** One metric name and its series by label values. */
  static final class Family {
    final MetricSpec spec;
    /** The label names, the same object for every family with these names. */
    final List<String> labels;
    private final Map<LabelKey, Series> series = new ConcurrentHashMap<>();
    private volatile Last last;

    private record Last(LabelKey key, Series series) {}

    Family(MetricSpec spec, List<String> labels) {
      this.spec = spec;
      this.labels = labels;
    }

    /** The series key of {@code dimensions}: its values for this family's labels (missing ones empty). */
    LabelKey key(Map<?, ?> dimensions) {
      String[] key = new String[labels.size()];
      for (int i = 0; i < key.length; i++) {
        Object v = dimensions.get(labels.get(i));
        key[i] = v == null ? "" : labelValue(v);
      }
      return new LabelKey(key);
    }

    /**
     * A tally of values for the series of {@code key}, kept by one thread and added to the series
     * at once on {@link Tally#flush}: a report batch's 1,000 requests mostly land in a few series,
     * each then locked once per batch rather than once per value.
     */
    Tally tally(LabelKey key) {
      // A report's metrics mostly repeat the key just used (the same object, when Mixer shared
      // the dimension map): that series is at hand without a lookup.
      Last l = last;
      Series s;
      if (l != null && l.key == key) {
        s = l.series;
      } else {
        s = series.computeIfAbsent(key, k -> new Series(spec.bounds().length));
        last = new Last(key, s);
      }
      return new Tally(spec, key, s);
    }

    private void write(StringBuilder b) {
      String name = spec.fullName();
      String type = switch (spec.kind()) {
        case COUNTER -> "counter";
        case GAUGE -> "gauge";
        case DISTRIBUTION -> "histogram";
      };
      b.append("# HELP ").append(name).append(' ').append(spec.description().isEmpty() ? name : escapeHelp(spec.description())).append('\n');
      b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      series.forEach((key, s) -> s.write(b, spec, List.of(key.values)));
    }
  }

  /** Label values, hashed once. */
  static final class LabelKey {
    private final String[] values;
    private final int hash;

    LabelKey(String[] values) {
      this.values = values;
      this.hash = Arrays.hashCode(values);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LabelKey k && k.hash == hash && Arrays.equals(k.values, values);
    }
  }

  /** Values bound for one series, tallied without its lock; not thread-safe. */
  static final class Tally {
    final LabelKey key;
    private final MetricSpec spec;
    private final Series series;
    private final long[] buckets;
    private long count;
    private double sum;
    private double lastValue;

    private Tally(MetricSpec spec, LabelKey key, Series series) {
      this.spec = spec;
      this.key = key;
      this.series = series;
      this.buckets = spec.kind() == MetricSpec.Kind.DISTRIBUTION ? new long[spec.bounds().length] : null;
    }

    void add(double x) {
      if (buckets != null) {
        int i = Arrays.binarySearch(spec.bounds(), x);
        // le is inclusive: a value equal to a bound falls in that bound's bucket.
        int first = i >= 0 ? i : -i - 1;
        if (first < buckets.length) {
          buckets[first]++;
        }
      }
      count++;
      sum += x;
      lastValue = x;
    }

    /** Adds what was tallied to the series (and starts over). */
    void flush() {
      if (count > 0) {
        series.add(spec, this);
        count = 0;
        sum = 0;
        if (buckets != null) {
          Arrays.fill(buckets, 0L);
        }
      }
    }
  }

  /** One label combination. */
  private static final class Series {
    private double value;
    private final long[] buckets;
    private long count;
    private double sum;

    Series(int bounds) {
      buckets = new long[bounds];
    }

    synchronized void add(MetricSpec spec, Tally t) {
      switch (spec.kind()) {
        case COUNTER -> value += t.sum;
        case GAUGE -> value = t.lastValue;
        case DISTRIBUTION -> {
          for (int i = 0; i < buckets.length; i++) {
            buckets[i] += t.buckets[i];
          }
          count += t.count;
          sum += t.sum;
        }
        default -> throw new IllegalStateException("unknown kind " + spec.kind());
      }
    }

    synchronized void write(StringBuilder b, MetricSpec spec, List<String> values) {
      String name = spec.fullName();
      if (spec.kind() != MetricSpec.Kind.DISTRIBUTION) {
        b.append(name).append(labels(spec.labels(), values, null)).append(' ').append(format(value)).append('\n');
        return;
      }
      long cumulative = 0;
      for (int i = 0; i < buckets.length; i++) {
        cumulative += buckets[i];
        b.append(name).append("_bucket").append(labels(spec.labels(), values, format(spec.bounds()[i])))
            .append(' ').append(cumulative).append('\n');
      }
      b.append(name).append("_bucket").append(labels(spec.labels(), values, "+Inf")).append(' ').append(count).append('\n');
      b.append(name).append("_sum").append(labels(spec.labels(), values, null)).append(' ').append(format(sum)).append('\n');
      b.append(name).append("_count").append(labels(spec.labels(), values, null)).append(' ').append(count).append('\n');
    }
  }

  private static String labels(List<String> names, List<String> values, String le) {
    if (names.isEmpty() && le == null) {
      return "";
    }
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(names.get(i)).append("=\"").append(escapeLabel(values.get(i))).append('"');
    }
    if (le != null) {
      b.append(names.isEmpty() ? "" : ",").append("le=\"").append(le).append('"');
    }
    return b.append('}').toString();
  }

  /** Numbers as Prometheus reads them; durations in seconds, as Istio's adapter converted them. */
  static double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Duration d) {
      return d.toNanos() / 1e9;
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (v == null) {
      throw new IllegalArgumentException("the instance has no value");
    }
    try {
      return Double.parseDouble(v.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the value '" + v + "' is not a number", e);
    }
  }

  private static String labelValue(Object v) {
    if (v instanceof java.net.InetAddress a) {
      return a.getHostAddress();
    }
    return v.toString();
  }

  static String format(double v) {
    if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }

  private static String escapeLabel(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
