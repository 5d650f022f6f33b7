/** Citadel's backend contract: who signs workload certificates ({@link io.mizzen.spi.ca.CertificateAuthority}). */
package io.mizzen.spi.ca;
