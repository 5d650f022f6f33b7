/**
 * Citadel's default CA backend on BouncyCastle: keeps or loads the signing root
 * ({@link io.mizzen.plugins.ca.bouncycastle.RootStore}, Istio's {@code cacerts} layout in
 * {@link io.mizzen.plugins.ca.bouncycastle.CacertsFolder}), inspects every CSR
 * ({@link io.mizzen.plugins.ca.bouncycastle.CsrInspection}) and issues SPIFFE workload
 * certificates ({@link io.mizzen.plugins.ca.bouncycastle.LeafIssuer}).
 */
package io.mizzen.plugins.ca.bouncycastle;
