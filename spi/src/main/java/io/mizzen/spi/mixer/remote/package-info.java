/**
 * Mixer over gRPC: the wire codec shared by the kernel's server and the proxy's client (report
 * batches are written set by set straight to their bytes, and read back from them, without
 * protobuf's message objects, attribute names as their UTF-8 bytes), and the remote {@link io.mizzen.spi.mixer.Mixer} client itself.
 */
package io.mizzen.spi.mixer.remote;
