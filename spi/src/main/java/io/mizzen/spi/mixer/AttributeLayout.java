package io.mizzen.spi.mixer;

import java.util.Arrays;
import java.util.Map;

/**
 * The shape of many bags that share most of their values: a base bag (a workload's own
 * attributes, the same for every request) and the few attributes each bag sets itself. A bag of a
 * layout holds an array of just those ({@code varying}, a proxy's ~25 of a manifest's ~110) and
 * reads the rest from the base, so building one copies no shared value and a batch of them is a
 * fraction of the memory: Mixer's Report path reads each bag of a 1,000-request batch once, long
 * after the proxy wrote it, and what it reads is then a few cache lines, not the whole vocabulary's.
 *
 * <p>The bags behave exactly as bags built whole with the same values: {@link AttributeBag#get},
 * {@link AttributeBag#toMap}, {@link AttributeBag#rebase} and {@link AttributeBag#builder(AttributeBag)}
 * (a builder from a layout's bag stays in the layout, one small array copy). Setting an attribute
 * outside {@code varying} is allowed too: that builder then copies the bag whole.
 */
public final class AttributeLayout {
  final AttributeVocabulary vocabulary;
  /** The base's values, by vocabulary index. */
  final Object[] base;
  /** By vocabulary index: the position in a bag's own array, or -1 for a value read from {@link #base}. */
  final int[] local;
  /** The base's values at the varying attributes: where each new bag starts. */
  private final Object[] initial;
  /** The varying attributes' indexes, ascending. */
  private final int[] varying;

  private AttributeLayout(AttributeBag base, int[] varying) {
    this.vocabulary = base.vocabulary();
    int size = vocabulary.size();
    this.base = new Object[size];
    for (int i = 0; i < size; i++) {
      this.base[i] = base.get(i);
    }
    this.local = new int[size];
    Arrays.fill(local, -1);
    int[] slots = Arrays.stream(varying).distinct().sorted().toArray();
    this.varying = slots;
    this.initial = new Object[slots.length];
    for (int k = 0; k < slots.length; k++) {
      if (slots[k] < 0 || slots[k] >= size) {
        throw new IllegalArgumentException("attribute index " + slots[k] + " is not in a vocabulary of " + size);
      }
      local[slots[k]] = k;
      initial[k] = this.base[slots[k]];
    }
  }

  /**
   * A layout of bags over {@code base}'s vocabulary that start with {@code base}'s values and set
   * the attributes at the indexes {@code varying} themselves (negative indexes, meaning an attribute
   * the vocabulary lacks, are skipped; repeats are ignored).
   */
  public static AttributeLayout of(AttributeBag base, int... varying) {
    return new AttributeLayout(base, Arrays.stream(varying).filter(i -> i >= 0).toArray());
  }

  /**
   * The only indexes at which {@code a} and {@code b} can hold different values, ascending, when
   * both are bags of one layout (its varying attributes: everywhere else both read its base); null
   * otherwise. A delta between two bags then compares a few attributes, not the whole vocabulary.
   * The array is the layout's own: callers must not change it.
   */
  public static int[] varyingBetween(AttributeBag a, AttributeBag b) {
    return a instanceof LayoutBag x && b instanceof LayoutBag y && x.layout == y.layout ? x.layout.varying : null;
  }

  /**
   * The indexes {@code bag} sets itself, ascending, when it is a bag of a layout (a builder from
   * it that sets only these stays in the layout); null otherwise. The array is the layout's own:
   * callers must not change it.
   */
  public static int[] varyingOf(AttributeBag bag) {
    return bag instanceof LayoutBag x ? x.layout.varying : null;
  }

  /** The vocabulary of this layout's bags. */
  public AttributeVocabulary vocabulary() {
    return vocabulary;
  }

  /** A builder of one bag of this layout, starting from the base's values. */
  public AttributeBag.Builder builder() {
    return new LayoutBuilder(this, initial.clone());
  }

  /** A bag of a layout: its own values at the varying attributes, the layout's base elsewhere. */
  static final class LayoutBag implements AttributeBag {
    final AttributeLayout layout;
    final Object[] values;

    LayoutBag(AttributeLayout layout, Object[] values) {
      this.layout = layout;
      this.values = values;
    }

    @Override
    public AttributeVocabulary vocabulary() {
      return layout.vocabulary;
    }

    @Override
    public Object get(int index) {
      int at = layout.local[index];
      return at < 0 ? layout.base[index] : values[at];
    }

    @Override
    public Map<String, Object> toMap() {
      return ArrayAttributeBag.toMap(this);
    }

    @Override
    public AttributeBag rebase(AttributeVocabulary other) {
      return other == layout.vocabulary ? this : ArrayAttributeBag.rebase(this, other);
    }

    @Override
    public String toString() {
      return "AttributeBag" + toMap();
    }
  }

  /** Fills a layout's bag; an attribute outside the layout turns it into a whole-bag builder. */
  static final class LayoutBuilder implements AttributeBag.Builder {
    private final AttributeLayout layout;
    private Object[] values;
    /** Set once an attribute outside the layout was put: every later call goes to it. */
    private AttributeBag.Builder whole;

    LayoutBuilder(AttributeLayout layout, Object[] values) {
      this.layout = layout;
      this.values = values;
    }

    @Override
    public AttributeBag.Builder put(String name, Object value) {
      int i = layout.vocabulary.indexOf(name);
      if (i < 0) {
        throw new IllegalArgumentException("attribute '" + name + "' is not in the attribute manifest");
      }
      return put(i, value);
    }

    @Override
    public AttributeBag.Builder put(int index, Object value) {
      if (whole != null) {
        whole.put(index, value);
        return this;
      }
      if (values == null) {
        throw new IllegalStateException("this builder has already built its bag");
      }
      int at = layout.local[index];
      if (at < 0) {
        whole = new ArrayAttributeBag.ArrayBuilder(new LayoutBag(layout, values));
        values = null;
        whole.put(index, value);
        return this;
      }
      values[at] = ArrayAttributeBag.checked(layout.vocabulary, index, value);
      return this;
    }

    @Override
    public AttributeBag build() {
      if (whole != null) {
        return whole.build();
      }
      if (values == null) {
        throw new IllegalStateException("this builder has already built its bag");
      }
      AttributeBag bag = new LayoutBag(layout, values);
      values = null;
      return bag;
    }
  }
}
