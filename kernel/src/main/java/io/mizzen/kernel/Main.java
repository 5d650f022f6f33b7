package io.mizzen.kernel;

import io.mizzen.kernel.cli.MizzenCommand;

/** The {@code mizzen} binary's entry point. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = MizzenCommand.commandLine().execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }
}
