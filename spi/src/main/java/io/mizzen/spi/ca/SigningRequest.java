package io.mizzen.spi.ca;

import java.time.Duration;

/**
 * A verified request to sign a workload certificate. The control plane has already checked the
 * caller's credential and that the CSR asks for exactly {@code spiffeId}; the CA checks the CSR's
 * own signature and key type again before signing.
 *
 * @param csrPem the PKCS#10 request, PEM
 * @param spiffeId the identity proven by the credential, {@code spiffe://<td>/ns/<ns>/sa/<sa>}
 * @param ttl the lifetime asked for; the CA caps it at its maximum
 */
public record SigningRequest(String csrPem, String spiffeId, Duration ttl) {}
