package io.mizzen.kernel.citadel;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Citadel's audit trail on its own logger, so operators can route, keep and alert on it apart from
 * ordinary logs. Lines are {@code key=value} pairs; values never contain token secrets or keys:
 * a bootstrap token appears by its id, any other credential by a short SHA-256 prefix.
 */
final class SecurityEvents {
  // Its last segment is what the binary's short log names show: "security".
  static final String LOGGER = "mizzen.citadel.security";
  private final Logger log = LoggerFactory.getLogger(LOGGER);

  void refused(CsrRefusedException e, String credentialId, String peer) {
    log.warn("event=csr_refused reason={} credential={} peer={} detail=\"{}\"", e.reason(), credentialId, peer,
        e.detail().replace('"', '\''));
  }

  void issued(SpiffeId identity, IssuedCertificate cert, String credentialId, String peer) {
    log.info("event=csr_signed identity={} serial={} not_after={} credential={} peer={}", identity, cert.serial(),
        cert.notAfter(), credentialId, peer);
  }
}
