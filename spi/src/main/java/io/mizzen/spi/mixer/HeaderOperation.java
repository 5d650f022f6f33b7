package io.mizzen.spi.mixer;

import java.util.List;

/**
 * A header change a rule asks for ({@code requestHeaderOperations} /
 * {@code responseHeaderOperations}), with its values already evaluated for this request.
 *
 * @param name the header name
 * @param values the values (empty for REMOVE)
 * @param operation what to do
 */
public record HeaderOperation(String name, List<String> values, Operation operation) {
  public HeaderOperation {
    values = List.copyOf(values);
  }

  /** Istio's operations; REPLACE is the default. */
  public enum Operation {
    REPLACE,
    REMOVE,
    APPEND
  }
}
