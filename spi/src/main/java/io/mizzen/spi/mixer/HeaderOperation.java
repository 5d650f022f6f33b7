package io.mizzen.spi.mixer;

import java.util.List;
import java.util.Set;

/**
 * A header change a rule asks for ({@code requestHeaderOperations} /
 * {@code responseHeaderOperations}), with its values already evaluated for this request.
 *
 * @param name the header name
 * @param values the values (empty for REMOVE)
 * @param operation what to do
 */
public record HeaderOperation(String name, List<String> values, Operation operation) {
  /**
   * Headers a rule's operations may not touch (lower case): they frame the message, belong to
   * one hop, or chose the route already; the proxy sets them itself. Mixer's config compiler
   * refuses them, and the proxy skips them.
   */
  public static final Set<String> PROTECTED = Set.of("content-length", "transfer-encoding", "connection",
      "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "host");

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
