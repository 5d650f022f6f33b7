/**
 * Citadel's control-plane side: bootstrap tokens ({@link io.mizzen.kernel.citadel.TokenStore},
 * created by {@code mizzen token create}), and the CSR service
 * ({@link io.mizzen.kernel.citadel.CsrService}) that turns a credential into a proven identity,
 * refuses replays and CSRs for anyone else, and hands the rest to the CA plugin. Every refusal
 * is a security event on the {@value io.mizzen.kernel.citadel.SecurityEvents#LOGGER} logger.
 */
package io.mizzen.kernel.citadel;
