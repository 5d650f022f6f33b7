package io.mizzen.kernel;

import io.mizzen.kernel.cli.MizzenCommand;

/** The {@code mizzen} binary's entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("demo")
        && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // The demo's console is for the tour; eight kernels' INFO lines would drown it.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    int code = MizzenCommand.commandLine().execute(args);
    // Role commands return only once their kernels have stopped; one-shot commands may leave
    // Vert.x threads behind. Either way the process is done.
    System.exit(code);
  }
}
