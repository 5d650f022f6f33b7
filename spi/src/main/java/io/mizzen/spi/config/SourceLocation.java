package io.mizzen.spi.config;

import java.util.Map;

/**
 * Where a resource came from, so every error can name it.
 *
 * @param origin a file path, {@code apply}, or a Kubernetes API path
 * @param documentIndex 0-based index of the YAML document in that file
 * @param line 1-based line where the document starts, or 0 when unknown
 * @param fieldLines the 1-based line of each field, keyed by field path as in
 *     {@link io.mizzen.spi.ConfigError#field()} ({@code spec.http[0].route}); empty when unknown
 */
public record SourceLocation(String origin, int documentIndex, int line, Map<String, Integer> fieldLines) {
  public SourceLocation {
    fieldLines = fieldLines == null ? Map.of() : Map.copyOf(fieldLines);
  }

  /** A location without field lines. */
  public SourceLocation(String origin, int documentIndex, int line) {
    this(origin, documentIndex, line, Map.of());
  }

  /** A location that knows only its origin. */
  public static SourceLocation unknown(String origin) {
    return new SourceLocation(origin, 0, 0);
  }

  /**
   * The line of {@code fieldPath}, or of its nearest enclosing field that has one (a missing
   * field is reported at its parent), or of the document; 0 when unknown.
   */
  public int lineOf(String fieldPath) {
    String path = fieldPath == null ? "" : fieldPath;
    while (!path.isEmpty()) {
      Integer l = fieldLines.get(path);
      if (l != null) {
        return l;
      }
      int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      path = cut < 0 ? "" : path.substring(0, cut);
    }
    return line;
  }

  @Override
  public String toString() {
    return origin + (line > 0 ? ":" + line : "") + " (document " + documentIndex + ")";
  }
}
