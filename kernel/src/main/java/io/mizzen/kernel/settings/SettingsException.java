package io.mizzen.kernel.settings;

import java.util.List;

/** {@code mizzen.yaml} is invalid; the message lists every problem with its file, line and field. */
public final class SettingsException extends RuntimeException {
  private final List<String> problems;

  public SettingsException(List<String> problems) {
    super("invalid mesh settings:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem as {@code FILE:LINE: FIELD: message}. */
  public List<String> problems() {
    return problems;
  }
}
