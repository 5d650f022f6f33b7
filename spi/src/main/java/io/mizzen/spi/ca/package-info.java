/**
 * Citadel's backend contract: who signs workload certificates
 * ({@link io.mizzen.spi.ca.CertificateAuthority}), what they are asked
 * ({@link io.mizzen.spi.ca.SigningRequest}), for whom ({@link io.mizzen.spi.ca.SpiffeId}), and who
 * proves that identity from a workload's credential ({@link io.mizzen.spi.ca.CredentialVerifier}).
 */
package io.mizzen.spi.ca;
