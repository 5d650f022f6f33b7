package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable version of everything in force.
 *
 * @param version monotonic, 0 for the empty store; each accepted change adds one
 * @param resources every accepted resource by key, in the order they were first accepted
 */
public record ConfigSnapshot(long version, Map<ResourceKey, Resource> resources) {
  public ConfigSnapshot {
    resources = Collections.unmodifiableMap(new LinkedHashMap<>(resources));
  }

  /** The resources of one kind. */
  public List<Resource> ofKind(String kind) {
    return resources.values().stream().filter(r -> r.kind().equals(kind)).toList();
  }

  /** The resource of a key, or {@code null}. */
  public Resource get(ResourceKey key) {
    return resources.get(key);
  }
}
