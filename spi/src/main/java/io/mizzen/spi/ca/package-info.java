/**
 * Citadel's backend contract: who signs workload certificates
 * ({@link io.mizzen.spi.ca.CertificateAuthority}), what they are asked
 * ({@link io.mizzen.spi.ca.SigningRequest}) and for whom ({@link io.mizzen.spi.ca.SpiffeId}).
 */
package io.mizzen.spi.ca;
