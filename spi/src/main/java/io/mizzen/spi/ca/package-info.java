/**
 * Citadel's backend contract: who signs workload certificates
 * ({@link io.mizzen.spi.ca.CertificateAuthority}), what they are asked
 * ({@link io.mizzen.spi.ca.SigningRequest}) and for whom ({@link io.mizzen.spi.ca.SpiffeId}), and who
 * else may prove a workload's identity ({@link io.mizzen.spi.ca.IdentityVerifier}).
 */
package io.mizzen.spi.ca;
