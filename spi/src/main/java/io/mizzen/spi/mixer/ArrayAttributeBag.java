package io.mizzen.spi.mixer;

import java.util.LinkedHashMap;
import java.util.Map;

/** One slot per vocabulary attribute; absent is {@code null}. */
final class ArrayAttributeBag implements AttributeBag {
  private final AttributeVocabulary vocabulary;
  private final Object[] values;

  private ArrayAttributeBag(AttributeVocabulary vocabulary, Object[] values) {
    this.vocabulary = vocabulary;
    this.values = values;
  }

  @Override
  public AttributeVocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public Object get(int index) {
    return values[index];
  }

  @Override
  public Map<String, Object> toMap() {
    return toMap(this);
  }

  @Override
  public AttributeBag rebase(AttributeVocabulary other) {
    return other == vocabulary ? this : rebase(this, other);
  }

  /** {@code from}'s values indexed by {@code other}; what {@code other} does not know or types otherwise is dropped. */
  static AttributeBag rebase(AttributeBag from, AttributeVocabulary other) {
    AttributeVocabulary vocabulary = from.vocabulary();
    Object[] moved = new Object[other.size()];
    for (int i = 0; i < vocabulary.size(); i++) {
      Object value = from.get(i);
      if (value != null) {
        int j = other.indexOf(vocabulary.name(i));
        if (j >= 0 && other.type(j).accepts(value)) {
          moved[j] = value;
        }
      }
    }
    return new ArrayAttributeBag(other, moved);
  }

  /** The present attributes of {@code bag}, by name, in index order. */
  static Map<String, Object> toMap(AttributeBag bag) {
    AttributeVocabulary vocabulary = bag.vocabulary();
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < vocabulary.size(); i++) {
      Object value = bag.get(i);
      if (value != null) {
        out.put(vocabulary.name(i), value);
      }
    }
    return out;
  }

  /**
   * {@code value} as a bag stores it at {@code index}: type-checked, a map copied so the bag stays
   * immutable ({@code Map.copyOf} returns an already immutable map as is).
   *
   * @throws IllegalArgumentException when it is not of the attribute's type
   */
  static Object checked(AttributeVocabulary vocabulary, int index, Object value) {
    ValueType type = vocabulary.type(index);
    if (value != null && !type.accepts(value)) {
      throw new IllegalArgumentException("attribute '" + vocabulary.name(index) + "' is " + type
          + " (a " + type.javaType().getSimpleName() + "), not a " + value.getClass().getName());
    }
    // Asked of the type, not the value: a failing type test against an interface (String, Long
    // or Instant against Map) scans the value's class's interfaces on every put.
    return type == ValueType.STRING_MAP && value != null ? Map.copyOf((Map<?, ?>) value) : value;
  }

  @Override
  public String toString() {
    return "AttributeBag" + toMap();
  }

  static final class ArrayBuilder implements Builder {
    private final AttributeVocabulary vocabulary;
    private Object[] values;

    ArrayBuilder(AttributeVocabulary vocabulary) {
      this.vocabulary = vocabulary;
      this.values = new Object[vocabulary.size()];
    }

    ArrayBuilder(AttributeBag base) {
      this.vocabulary = base.vocabulary();
      if (base instanceof ArrayAttributeBag a) {
        this.values = a.values.clone();
      } else {
        this.values = new Object[vocabulary.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = base.get(i);
        }
      }
    }

    @Override
    public Builder put(String name, Object value) {
      int i = vocabulary.indexOf(name);
      if (i < 0) {
        throw new IllegalArgumentException("attribute '" + name + "' is not in the attribute manifest");
      }
      return put(i, value);
    }

    @Override
    public Builder put(int index, Object value) {
      if (values == null) {
        throw new IllegalStateException("this builder has already built its bag");
      }
      values[index] = checked(vocabulary, index, value);
      return this;
    }

    @Override
    public AttributeBag build() {
      if (values == null) {
        throw new IllegalStateException("this builder has already built its bag");
      }
      AttributeBag bag = new ArrayAttributeBag(vocabulary, values);
      values = null;
      return bag;
    }
  }
}
