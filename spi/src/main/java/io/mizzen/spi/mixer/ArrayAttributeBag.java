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
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        out.put(vocabulary.name(i), values[i]);
      }
    }
    return out;
  }

  @Override
  public AttributeBag rebase(AttributeVocabulary other) {
    if (other == vocabulary) {
      return this;
    }
    Object[] moved = new Object[other.size()];
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        int j = other.indexOf(vocabulary.name(i));
        if (j >= 0 && other.type(j).accepts(values[i])) {
          moved[j] = values[i];
        }
      }
    }
    return new ArrayAttributeBag(other, moved);
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
      ValueType type = vocabulary.type(index);
      if (value != null && !type.accepts(value)) {
        throw new IllegalArgumentException("attribute '" + vocabulary.name(index) + "' is " + type
            + " (a " + type.javaType().getSimpleName() + "), not a " + value.getClass().getName());
      }
      // Maps are copied so the bag stays immutable; Map.copyOf returns an already immutable map as is.
      values[index] = value instanceof Map<?, ?> m ? Map.copyOf(m) : value;
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
