package io.mizzen.spi.mixer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * Verdicts keyed by "shape" (which attributes and map keys a verdict referenced) plus the values
 * the request had for them. A lookup tries each known shape; there are few (one per distinct
 * rule set a proxy meets), so that is a handful of probes.
 */
final class ReferencedAttributesCache implements CheckCache {
  /** Beyond this many shapes new ones are not cached: a sign of config churn, not of traffic. */
  private static final int MAX_SHAPES = 64;

  private final int maxEntries;
  private final long maxValidityNanos;
  private final LongSupplier clock;
  private final List<Shape> shapes = new CopyOnWriteArrayList<>();
  private final Map<Key, Entry> entries;

  ReferencedAttributesCache(int maxEntries, java.time.Duration maxValidity, LongSupplier clock) {
    if (maxEntries <= 0) {
      throw new IllegalArgumentException("maxEntries must be positive, not " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.maxValidityNanos = maxValidity == null ? Long.MAX_VALUE : maxValidity.toNanos();
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
        return size() > ReferencedAttributesCache.this.maxEntries;
      }
    };
  }

  /** Which attributes (and map keys) a verdict depended on, in a fixed order. */
  private static final class Shape {
    final ReferencedAttributes referenced;
    final String[] names;
    final String[] mapKeys;
    /** The names' indexes in the vocabulary last seen, worked out once rather than per lookup. */
    private volatile Indexes indexes;

    private record Indexes(AttributeVocabulary vocabulary, int[] of) {}

    Shape(ReferencedAttributes referenced, String[] names, String[] mapKeys) {
      this.referenced = referenced;
      this.names = names;
      this.mapKeys = mapKeys;
    }

    ReferencedAttributes referenced() {
      return referenced;
    }

    static Shape of(ReferencedAttributes r) {
      List<String> names = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      r.attributes().stream().sorted().forEach(a -> {
        names.add(a);
        keys.add(null);
      });
      r.mapKeys().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
          e.getValue().stream().sorted().forEach(k -> {
            names.add(e.getKey());
            keys.add(k);
          }));
      return new Shape(r, names.toArray(String[]::new), keys.toArray(String[]::new));
    }

    private int[] indexes(AttributeVocabulary v) {
      Indexes i = indexes;
      if (i == null || i.vocabulary() != v) {
        int[] of = new int[names.length];
        for (int n = 0; n < names.length; n++) {
          of[n] = v.indexOf(names[n]);
        }
        i = new Indexes(v, of);
        indexes = i;
      }
      return i.of();
    }

    Key keyOf(AttributeBag bag) {
      int[] at = indexes(bag.vocabulary());
      Object[] values = new Object[names.length];
      for (int i = 0; i < names.length; i++) {
        Object v = at[i] < 0 ? null : bag.get(at[i]);
        values[i] = mapKeys[i] == null ? v : v instanceof Map<?, ?> m ? m.get(mapKeys[i]) : null;
      }
      return new Key(this, values);
    }
  }

  private record Key(Shape shape, Object[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.shape == shape && Arrays.equals(k.values, values);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(shape) * 31 + Arrays.hashCode(values);
    }
  }

  private static final class Entry {
    final CheckResponse response;
    final long expiresAt;
    int usesLeft;

    Entry(CheckResponse response, long expiresAt, int usesLeft) {
      this.response = response;
      this.expiresAt = expiresAt;
      this.usesLeft = usesLeft;
    }
  }

  @Override
  public CheckResponse lookup(AttributeBag bag) {
    long now = clock.getAsLong();
    for (Shape shape : shapes) {
      Key key = shape.keyOf(bag);
      synchronized (entries) {
        Entry e = entries.get(key);
        if (e == null) {
          continue;
        }
        if (now - e.expiresAt >= 0) {
          entries.remove(key);
          continue;
        }
        if (--e.usesLeft <= 0) {
          entries.remove(key);
        }
        return e.response;
      }
    }
    return null;
  }

  @Override
  public void store(AttributeBag bag, CheckResponse response) {
    CheckResult verdict = response.precondition();
    if (!response.quotas().isEmpty() || verdict.validUseCount() <= 0 || verdict.validDuration() == null
        || verdict.validDuration().isZero() || verdict.validDuration().isNegative()) {
      return;
    }
    Shape shape = shapeFor(response.referenced());
    if (shape == null) {
      return;
    }
    long validFor = Math.min(verdict.validDuration().toNanos(), maxValidityNanos);
    Entry e = new Entry(response, clock.getAsLong() + validFor, verdict.validUseCount());
    synchronized (entries) {
      entries.put(shape.keyOf(bag), e);
    }
  }

  private Shape shapeFor(ReferencedAttributes r) {
    for (Shape s : shapes) {
      if (s.referenced().equals(r)) {
        return s;
      }
    }
    synchronized (shapes) {
      for (Shape s : shapes) {
        if (s.referenced().equals(r)) {
          return s;
        }
      }
      if (shapes.size() >= MAX_SHAPES) {
        return null;
      }
      Shape s = Shape.of(r);
      shapes.add(s);
      return s;
    }
  }

  @Override
  public void clear() {
    synchronized (entries) {
      entries.clear();
    }
  }

  @Override
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
