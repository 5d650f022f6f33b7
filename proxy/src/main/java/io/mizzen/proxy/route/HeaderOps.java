package io.mizzen.proxy.route;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code Headers.HeaderOperations}: set replaces, add appends, remove deletes.
 *
 * @param set headers to replace
 * @param add headers to append
 * @param remove header names to delete
 */
public record HeaderOps(Map<String, String> set, Map<String, String> add, List<String> remove) {
  /** No operation. */
  public static final HeaderOps NONE = new HeaderOps(Map.of(), Map.of(), List.of());

  public HeaderOps {
    set = Map.copyOf(set);
    add = Map.copyOf(add);
    remove = List.copyOf(remove);
  }

  public boolean isEmpty() {
    return set.isEmpty() && add.isEmpty() && remove.isEmpty();
  }

  /** Applies the operations in Envoy's order: remove, then set, then add. */
  public void apply(HttpHeaders headers) {
    if (isEmpty()) {
      return;
    }
    for (String name : remove) {
      headers.remove(name);
    }
    for (Map.Entry<String, String> e : set.entrySet()) {
      headers.set(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : add.entrySet()) {
      headers.add(e.getKey(), e.getValue());
    }
  }
}
