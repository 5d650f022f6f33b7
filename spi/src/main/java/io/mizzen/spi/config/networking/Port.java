package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;

/**
 * A port of a Gateway server, a ServiceEntry or a Sidecar listener.
 *
 * @param number the port number, 1-65535
 * @param protocol HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS (case-insensitive, as Istio reads it)
 * @param name a name for the port
 */
public record Port(@Required Integer number, String protocol, String name) {}
