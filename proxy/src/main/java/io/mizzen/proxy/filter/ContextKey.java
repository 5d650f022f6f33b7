package io.mizzen.proxy.filter;

/**
 * A typed slot in a {@link RequestContext}: filters share per-request state through keys, never
 * through string names. Keys compare by identity; create each once, as a constant.
 */
public final class ContextKey<T> {
  private final String name;
  private final Class<T> type;

  private ContextKey(String name, Class<T> type) {
    this.name = name;
    this.type = type;
  }

  /** A new key; {@code name} is for diagnostics only. */
  public static <T> ContextKey<T> of(String name, Class<T> type) {
    return new ContextKey<>(name, type);
  }

  T cast(Object value) {
    return type.cast(value);
  }

  @Override
  public String toString() {
    return name;
  }
}
