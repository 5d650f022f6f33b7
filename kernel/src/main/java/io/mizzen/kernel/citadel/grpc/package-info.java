/**
 * Citadel on the wire: the {@code mizzen.citadel.v1.CertificateService} gRPC server over TLS 1.3
 * ({@link io.mizzen.kernel.citadel.grpc.CitadelServer}, port 15012), in front of the wire-free
 * {@link io.mizzen.kernel.citadel.CsrService}. Its serving certificate is made and renewed with
 * the agent's own key and rotation code.
 */
package io.mizzen.kernel.citadel.grpc;
