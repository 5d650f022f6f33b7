package io.mizzen.kernel.config;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;

/**
 * One finding about configuration, located as precisely as the input allows.
 *
 * @param severity ERROR refuses the resource; WARNING and NOTE do not
 * @param origin the file (or {@code apply}) it came from
 * @param line the 1-based line, 0 when unknown
 * @param documentIndex the 0-based YAML document in the file
 * @param resource {@code Kind/namespace/name}, or empty when no resource could be read
 * @param field the field path ({@code spec.http[0].route[1].weight}), or empty
 * @param message what is wrong, in words a user can act on
 */
public record ConfigProblem(
    Severity severity, String origin, int line, int documentIndex, String resource, String field, String message) {

  /** How much a finding matters. */
  public enum Severity { ERROR, WARNING, NOTE }

  public ConfigProblem {
    resource = resource == null ? "" : resource;
    field = field == null ? "" : field;
  }

  /** A finding about a field of {@code r}, at that field's line. */
  static ConfigProblem of(Severity severity, Resource r, String field, String message) {
    SourceLocation at = r.location() == null ? SourceLocation.unknown("") : r.location();
    return new ConfigProblem(severity, at.origin(), at.lineOf(field), at.documentIndex(), r.key().toString(),
        field, message);
  }

  /** True for an error. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    out.append(severity).append(": ").append(origin);
    if (line > 0) {
      out.append(':').append(line);
    }
    out.append(" (document ").append(documentIndex).append(')');
    if (!resource.isEmpty()) {
      out.append(' ').append(resource);
    }
    if (!field.isEmpty()) {
      out.append(' ').append(field);
    }
    return out.append(": ").append(message).toString();
  }
}
