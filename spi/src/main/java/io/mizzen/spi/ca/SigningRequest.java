package io.mizzen.spi.ca;

import java.time.Duration;
import java.util.Objects;

/**
 * A request to sign a workload certificate for an identity the control plane has proven (from a
 * bootstrap token or a Kubernetes service-account JWT). The CA trusts {@code identity} and
 * nothing else: it checks on its own that the CSR's signature verifies, that its key is of an
 * allowed type, and that any name the CSR asks for is exactly {@code identity}.
 *
 * @param csrPem the PKCS#10 request, PEM
 * @param identity the identity proven by the caller's credential
 * @param ttl the lifetime asked for, or {@code null} for the CA's default; the CA caps it at its
 *     maximum
 */
public record SigningRequest(String csrPem, SpiffeId identity, Duration ttl) {
  public SigningRequest {
    Objects.requireNonNull(csrPem, "csrPem");
    Objects.requireNonNull(identity, "identity");
  }
}
