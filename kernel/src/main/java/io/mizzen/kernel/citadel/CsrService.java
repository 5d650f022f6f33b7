package io.mizzen.kernel.citadel;

import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IdentityVerifier;
import io.mizzen.spi.ca.IssuedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Citadel's signing logic, independent of the wire: verify the credential (a bootstrap token, or
 * whatever a loaded {@link IdentityVerifier} reads), turn it into the one identity it proves, refuse replays and CSRs for anyone else, and have the CA sign the rest.
 * Every refusal is logged as a security event and fails the Future with a
 * {@link CsrRefusedException} carrying its {@link CsrRefusal}.
 */
public interface CsrService {
  /** How far a request's timestamp may be from the control plane's clock (Kerberos' 5 minutes). */
  Duration DEFAULT_REPLAY_WINDOW = Duration.ofMinutes(5);
  /** The largest CSR looked at, as the default CA's own limit. */
  int MAX_CSR_CHARS = 16 * 1024;

  /**
   * A service that checks bootstrap tokens from {@code tokens} and signs through {@code ca}.
   *
   * @param trustDomain the mesh's trust domain, the first part of every identity it proves
   */
  static CsrService create(Vertx vertx, TokenStore tokens, CertificateAuthority ca, String trustDomain, Clock clock) {
    return create(vertx, tokens, ca, trustDomain, clock, DEFAULT_REPLAY_WINDOW);
  }

  /** As {@link #create(Vertx, TokenStore, CertificateAuthority, String, Clock)}, with a replay window. */
  static CsrService create(Vertx vertx, TokenStore tokens, CertificateAuthority ca, String trustDomain, Clock clock, Duration replayWindow) {
    return create(vertx, tokens, List.of(), ca, trustDomain, clock, replayWindow);
  }

  /**
   * A service that also accepts credentials read by {@code verifiers} (asked in order; the
   * first whose {@link IdentityVerifier#accepts} says yes decides).
   */
  static CsrService create(Vertx vertx, TokenStore tokens, List<IdentityVerifier> verifiers, CertificateAuthority ca,
      String trustDomain, Clock clock, Duration replayWindow) {
    return new TokenCsrService(vertx, tokens, verifiers, ca, trustDomain, new ReplayGuard(clock, replayWindow, 100_000));
  }

  /**
   * Handles one request.
   *
   * @param peer who sent it (remote address), for the audit log
   * @return a Future with the certificate; failed with a {@link CsrRefusedException} when the
   *     request is refused, or with another exception when the CA or the token store is broken
   */
  Future<IssuedCertificate> sign(CsrRequest request, String peer);
}
