package io.mizzen.kernel.config;

/** Finds the line a test case marks as the one an error must point at. */
final class ConfigValidatorTestLines {
  private ConfigValidatorTestLines() {}

  /** The 1-based line carrying {@code # <-}, or 5 (the spec line of the cases) when none does. */
  static int marked(String yaml) {
    String[] lines = yaml.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains("# <-")) {
        return i + 1;
      }
    }
    return 5;
  }
}
