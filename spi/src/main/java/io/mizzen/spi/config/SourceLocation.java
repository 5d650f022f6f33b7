package io.mizzen.spi.config;

/**
 * Where a resource came from, so every error can name it.
 *
 * @param origin a file path, {@code apply}, or a Kubernetes API path
 * @param documentIndex 0-based index of the YAML document in that file
 * @param line 1-based line where the document starts, or 0 when unknown
 */
public record SourceLocation(String origin, int documentIndex, int line) {
  public static SourceLocation unknown(String origin) {
    return new SourceLocation(origin, 0, 0);
  }

  @Override
  public String toString() {
    return origin + (line > 0 ? ":" + line : "") + " (document " + documentIndex + ")";
  }
}
