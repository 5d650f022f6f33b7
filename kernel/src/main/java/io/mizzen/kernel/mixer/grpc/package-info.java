/**
 * Mixer's gRPC server (port 9091 by default): Check, Report and Vocabulary over {@code mixer.proto};
 * Report takes the batch as bytes and reads its sets straight from them.
 */
package io.mizzen.kernel.mixer.grpc;
