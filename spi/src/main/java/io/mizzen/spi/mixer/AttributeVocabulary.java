package io.mizzen.spi.mixer;

import java.util.Map;
import java.util.Set;

/**
 * The attributes a mesh knows and their types, merged from its attribute manifests. Each
 * attribute has a dense index so that an {@link AttributeBag} is a plain array and compiled
 * expressions look attributes up by index, not by name.
 */
public interface AttributeVocabulary {

  /** The number of attributes; indexes run from 0 to {@code size() - 1}. */
  int size();

  /** The index of {@code name}, or -1 when the vocabulary does not know it. */
  int indexOf(String name);

  /** The name at {@code index}. */
  String name(int index);

  /** The type at {@code index}. */
  ValueType type(int index);

  /** The type of {@code name}, or {@code null} when unknown. */
  default ValueType typeOf(String name) {
    int i = indexOf(name);
    return i < 0 ? null : type(i);
  }

  /** Every attribute name, in index order. */
  Set<String> names();

  /** A vocabulary of exactly these attributes, indexed in the map's iteration order. */
  static AttributeVocabulary of(Map<String, ValueType> attributes) {
    return new IndexedVocabulary(attributes);
  }
}
