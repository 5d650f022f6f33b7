package io.mizzen.proxy.engine;

/**
 * One listener of the proxy.
 *
 * @param name {@code outbound}, {@code inbound} or {@code gateway_<server port>}
 * @param port the bound port (filled in after binding); for a gateway listener the Gateway
 *     server's port, which is what {@code port:} matches see
 * @param portFromAuthority whether routing sees the port the client addressed (outbound) rather
 *     than the listener's own
 * @param gatewayPort the Gateway server port whose routes this listener serves, -1 for none
 */
record ListenerSpec(String name, int port, boolean portFromAuthority, int gatewayPort) {

  ListenerSpec(String name, int port, boolean portFromAuthority) {
    this(name, port, portFromAuthority, -1);
  }

  /** The listener of a Gateway server port. */
  static ListenerSpec gateway(int serverPort) {
    return new ListenerSpec("gateway_" + serverPort, serverPort, false, serverPort);
  }
}
