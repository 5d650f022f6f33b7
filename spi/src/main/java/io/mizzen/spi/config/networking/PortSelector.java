package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Oneof;

/**
 * A port of a destination: its number (or, in old configs, its name).
 *
 * @param number the port number, 1-65535
 * @param name the port name (deprecated in Istio, still read)
 */
@Oneof({"number", "name"})
public record PortSelector(Integer number, String name) {}
