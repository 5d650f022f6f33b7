package io.mizzen.spi.mixer;

import java.util.Map;

/**
 * The attributes of one request or connection: immutable once built, array-backed and indexed by
 * its {@link AttributeVocabulary}, so a lookup by index is one array read and a lookup by name
 * one hash probe, neither allocating. The proxy builds one per request through an
 * {@link AttributeLayout} (its workload's attributes shared, the request's own in a small array).
 */
public interface AttributeBag {

  /** The vocabulary this bag is indexed by. */
  AttributeVocabulary vocabulary();

  /** The value at {@code index}, or {@code null} when absent. */
  Object get(int index);

  /** The value of {@code name}, or {@code null} when absent or unknown to the vocabulary. */
  default Object get(String name) {
    int i = vocabulary().indexOf(name);
    return i < 0 ? null : get(i);
  }

  /** The present attributes, by name (a fresh map; meant for tests, logs and the wire). */
  Map<String, Object> toMap();

  /**
   * The same values indexed by {@code other} (a newer config version may add attributes).
   * Attributes {@code other} does not know, or types it disagrees on, are dropped.
   */
  AttributeBag rebase(AttributeVocabulary other);

  /** A builder for a bag over {@code vocabulary}. */
  static Builder builder(AttributeVocabulary vocabulary) {
    return new ArrayAttributeBag.ArrayBuilder(vocabulary);
  }

  /**
   * A builder over {@code base}'s vocabulary that starts with {@code base}'s values (one array
   * copy: the values are immutable, so they are shared, not copied again; a bag of an
   * {@link AttributeLayout} copies only its own values and its new bag stays in the layout).
   */
  static Builder builder(AttributeBag base) {
    if (base instanceof AttributeLayout.LayoutBag b) {
      return new AttributeLayout.LayoutBuilder(b.layout, b.values.clone());
    }
    return new ArrayAttributeBag.ArrayBuilder(base);
  }

  /** An empty bag. */
  static AttributeBag empty(AttributeVocabulary vocabulary) {
    return builder(vocabulary).build();
  }

  /** Fills a bag; not thread-safe, used by one request. */
  interface Builder {
    /**
     * Sets {@code name} to {@code value}.
     *
     * @throws IllegalArgumentException when the vocabulary does not know {@code name} or the
     *     value is not of its type's Java representation (see {@link ValueType})
     */
    Builder put(String name, Object value);

    /** Sets the attribute at {@code index}; the type is checked as in {@link #put(String, Object)}. */
    Builder put(int index, Object value);

    /** The immutable bag; the builder must not be used afterwards. */
    AttributeBag build();
  }
}
