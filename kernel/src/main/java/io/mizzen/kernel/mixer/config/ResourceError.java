package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.config.SourceLocation;

/**
 * A problem with one resource: which, where it was read, which field, what.
 *
 * @param resource the resource's key
 * @param location where it was read (may be null)
 * @param field the field path, from the document root ({@code spec.actions[0].handler})
 * @param message what is wrong
 */
public record ResourceError(ResourceKey resource, SourceLocation location, String field, String message) {
  static ResourceError of(Resource r, String field, String message) {
    return new ResourceError(r.key(), r.location(), field, message);
  }

  @Override
  public String toString() {
    return (location != null ? location + ": " : "") + resource + (field.isEmpty() ? "" : " " + field) + ": " + message;
  }
}
