package io.mizzen.kernel.citadel;

import java.time.Duration;
import java.time.Instant;

/**
 * What an agent sends to get a certificate. {@link #toString()} hides the token.
 *
 * @param token the credential: a bootstrap token ({@code mzt.<id>.<secret>}), or one a loaded
 *     {@link io.mizzen.spi.ca.IdentityVerifier} reads (a Kubernetes service-account JWT)
 * @param csrPem the PKCS#10 request, PEM, made with a key that never leaves the workload
 * @param nonce a fresh random value per request (16 to 128 of {@code [A-Za-z0-9_-]})
 * @param timestamp when the agent made the request, by its clock
 * @param ttl the lifetime asked for, or {@code null} for the CA's default
 */
public record CsrRequest(String token, String csrPem, String nonce, Instant timestamp, Duration ttl) {
  @Override
  public String toString() {
    return "CsrRequest[credential=" + TokenCsrService.credentialId(token) + ", nonce=" + nonce + ", timestamp=" + timestamp + ", ttl=" + ttl + "]";
  }
}
