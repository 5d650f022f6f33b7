package io.mizzen.spi.mixer;

import java.util.Map;
import java.util.Set;

/**
 * What a Check verdict depended on.
 *
 * @param attributes attributes read whole (their value, or their absence, mattered)
 * @param mapKeys for STRING_MAP attributes read only at constant keys (such as
 *     {@code request.headers["x-user"]}), the keys read; a map also listed in {@code attributes}
 *     was read whole
 */
public record ReferencedAttributes(Set<String> attributes, Map<String, Set<String>> mapKeys) {
  public ReferencedAttributes {
    attributes = Set.copyOf(attributes);
    mapKeys = Map.copyOf(mapKeys);
  }

  /** Nothing referenced: the verdict holds for every request. */
  public static ReferencedAttributes none() {
    return new ReferencedAttributes(Set.of(), Map.of());
  }
}
