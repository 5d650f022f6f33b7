/**
 * Mixer over gRPC: the wire codec shared by the kernel's server and the proxy's client, and the
 * remote {@link io.mizzen.spi.mixer.Mixer} client itself.
 */
package io.mizzen.spi.mixer.remote;
