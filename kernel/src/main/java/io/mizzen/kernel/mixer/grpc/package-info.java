/**
 * Mixer's gRPC server (port 9091 by default): Check, Report and Vocabulary over {@code mixer.proto};
 * Report takes the batch as bytes and reads its sets straight from them; Vocabulary also says
 * what the config in force reads, with its version.
 */
package io.mizzen.kernel.mixer.grpc;
