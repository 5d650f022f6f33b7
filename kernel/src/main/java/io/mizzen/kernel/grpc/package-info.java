/**
 * The control plane's gRPC server (15010): one server the Pilot, Citadel and Mixer services bind
 * to, published to the other functions through {@link io.mizzen.spi.MeshContext#publish}.
 */
package io.mizzen.kernel.grpc;
