package io.mizzen.spi.mixer;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Array-backed vocabulary: name → index through one hash map built once. */
final class IndexedVocabulary implements AttributeVocabulary {
  private final String[] names;
  private final ValueType[] types;
  private final Map<String, Integer> indexes;
  private final Set<String> nameSet;

  IndexedVocabulary(Map<String, ValueType> attributes) {
    names = new String[attributes.size()];
    types = new ValueType[attributes.size()];
    indexes = new HashMap<>(attributes.size() * 2);
    Set<String> ordered = new LinkedHashSet<>();
    int i = 0;
    for (Map.Entry<String, ValueType> e : attributes.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
        throw new IllegalArgumentException("attribute #" + i + " has no name or no type");
      }
      names[i] = e.getKey();
      types[i] = e.getValue();
      indexes.put(e.getKey(), i);
      ordered.add(e.getKey());
      i++;
    }
    nameSet = Collections.unmodifiableSet(ordered);
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public int indexOf(String name) {
    Integer i = indexes.get(name);
    return i == null ? -1 : i;
  }

  @Override
  public String name(int index) {
    return names[index];
  }

  @Override
  public ValueType type(int index) {
    return types[index];
  }

  @Override
  public Set<String> names() {
    return nameSet;
  }

  @Override
  public String toString() {
    return "AttributeVocabulary(" + names.length + " attributes)";
  }
}
