package io.mizzen.spi;

/**
 * One problem found while validating configuration.
 *
 * @param field the path of the offending field, dotted from the root of the config being
 *     validated (for example {@code spec.http[0].route[1].weight}); empty when the whole
 *     document is at fault
 * @param message what is wrong, in words a user can act on
 */
public record ConfigError(String field, String message) {
  public ConfigError {
    field = field == null ? "" : field;
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("a config error needs a message");
    }
  }

  @Override
  public String toString() {
    return field.isEmpty() ? message : field + ": " + message;
  }
}
