package io.mizzen.proxy.engine;

/**
 * One listener of the proxy.
 *
 * @param name {@code outbound}, {@code inbound} or a gateway server's name
 * @param port the bound port (filled in after binding)
 * @param portFromAuthority whether routing sees the port the client addressed (outbound) rather
 *     than the listener's own
 */
record ListenerSpec(String name, int port, boolean portFromAuthority) {}
