package io.mizzen.kernel.pilot;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.BiConsumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The {@code --control-plane HOST:PORT} option every command that talks to a running control
 * plane's HTTP API takes (a picocli mixin), the client for it, and the read-only query those
 * commands share.
 */
public final class ControlPlaneOption {
  @Option(names = "--control-plane", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:15014",
      description = "The control plane's API (default ${DEFAULT-VALUE}).")
  String address;

  /** A client of the API at the given address. */
  ControlPlaneClient client() {
    return new ControlPlaneClient(address);
  }

  /**
   * {@code GET pathAndQuery}, its JSON answer printed by {@code show} on the command's output.
   *
   * @return 0; 1 when the API answers other than 200 (its error printed as {@code mizzen COMMAND:
   *     ...}); 2 when the control plane cannot be reached or its answer is not JSON
   */
  int show(CommandSpec spec, String command, String pathAndQuery, BiConsumer<PrintWriter, JsonObject> show)
      throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      ControlPlaneClient.Answer answer = client().get(pathAndQuery);
      if (answer.status() != 200) {
        err.println("mizzen " + command + ": " + answer.json().getString("error", answer.body()));
        err.flush();
        return 1;
      }
      show.accept(out, answer.json());
      out.flush();
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("mizzen " + command + ": " + e.getMessage());
      err.flush();
      return 2;
    }
  }
}
