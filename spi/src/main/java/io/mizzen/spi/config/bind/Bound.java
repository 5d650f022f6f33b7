package io.mizzen.spi.config.bind;

import io.mizzen.spi.ConfigError;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * The result of binding: the typed value and every error found on the way.
 *
 * @param value the bound value; with errors it is a best effort (fields in error are left
 *     empty), so callers that need a trustworthy value check {@link #valid()} first
 * @param errors every problem found, each with its field path; empty when the input was valid
 */
public record Bound<T>(T value, List<ConfigError> errors) {
  public Bound {
    errors = List.copyOf(errors);
  }

  /** A valid result. */
  public static <T> Bound<T> of(T value) {
    return new Bound<>(value, List.of());
  }

  /** True when binding found no error. */
  public boolean valid() {
    return errors.isEmpty();
  }

  /**
   * The value, only when valid.
   *
   * @throws NoSuchElementException listing every error when there were any
   */
  public T orElseThrow() {
    if (!valid()) {
      throw new NoSuchElementException(
          errors.stream().map(ConfigError::toString).collect(Collectors.joining("; ")));
    }
    return value;
  }
}
