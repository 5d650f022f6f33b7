/**
 * Plain TCP and TLS-passthrough proxying: VirtualService {@code tcp:} and {@code tls:} routes
 * compiled to {@link io.mizzen.proxy.tcp.L4Route}, the byte relay with back-pressure and idle
 * timeout ({@link io.mizzen.proxy.tcp.TcpRelay}: a gateway's TCP ports, a sidecar's captured
 * non-HTTP connections and its CONNECT tunnels), and Istio's TCP metrics
 * ({@link io.mizzen.proxy.tcp.TcpStats}).
 */
package io.mizzen.proxy.tcp;
