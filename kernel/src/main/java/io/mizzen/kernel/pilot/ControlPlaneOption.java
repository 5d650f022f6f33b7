package io.mizzen.kernel.pilot;

import picocli.CommandLine.Option;

/**
 * The {@code --control-plane HOST:PORT} option every command that talks to a running control
 * plane's HTTP API takes (a picocli mixin), and the client for it.
 */
public final class ControlPlaneOption {
  @Option(names = "--control-plane", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:15014",
      description = "The control plane's API (default ${DEFAULT-VALUE}).")
  String address;

  /** A client of the API at the given address. */
  ControlPlaneClient client() {
    return new ControlPlaneClient(address);
  }
}
