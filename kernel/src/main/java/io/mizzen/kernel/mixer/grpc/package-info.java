/** Mixer's gRPC server (port 9091 by default): Check, Report and Vocabulary over {@code mixer.proto}. */
package io.mizzen.kernel.mixer.grpc;
