package io.mizzen.kernel.citadel;

import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRefusedException;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CsrService} for bootstrap tokens. */
final class TokenCsrService implements CsrService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenCsrService.class);
  private final Vertx vertx;
  private final TokenStore tokens;
  private final CertificateAuthority ca;
  private final String trustDomain;
  private final ReplayGuard replays;
  private final SecurityEvents events = new SecurityEvents();

  TokenCsrService(Vertx vertx, TokenStore tokens, CertificateAuthority ca, String trustDomain, ReplayGuard replays) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.ca = ca;
    this.trustDomain = trustDomain;
    this.replays = replays;
  }

  @Override
  public Future<IssuedCertificate> sign(CsrRequest request, String peer) {
    String tokenId = request == null ? "-" : TokenFile.idOf(request.token());
    Future<IssuedCertificate> result;
    if (request == null) {
      result = Future.failedFuture(new CsrRefusedException(CsrRefusal.MALFORMED_REQUEST, "empty request"));
    } else {
      // The token file is read (and re-read when it changes) off the event loop.
      result = vertx.<TokenStore.TokenInfo>executeBlocking(() -> tokens.verify(request.token()), false)
          .compose(token -> {
            SpiffeId identity = SpiffeId.of(trustDomain, token.namespace(), token.serviceAccount());
            // After the token check, so unauthenticated callers cannot fill the nonce table.
            replays.admit(token.id(), request.nonce(), request.timestamp());
            CsrNames.requireOnly(request.csrPem(), identity, MAX_CSR_CHARS);
            return ca.sign(new SigningRequest(request.csrPem(), identity, request.ttl()))
                .recover(e -> Future.failedFuture(e instanceof SigningRefusedException refused ? translate(refused) : e))
                .onSuccess(cert -> events.issued(identity, cert, token.id(), peer));
          });
    }
    return result.onFailure(e -> {
      if (e instanceof CsrRefusedException refused) {
        events.refused(refused, tokenId, peer);
      } else {
        LOG.error("CSR from {} (token {}) failed inside the control plane: {}", peer, tokenId, e.toString());
      }
    });
  }

  private static CsrRefusedException translate(SigningRefusedException e) {
    CsrRefusal reason = switch (e.reason()) {
      case MALFORMED_CSR -> CsrRefusal.MALFORMED_CSR;
      case CSR_TOO_LARGE -> CsrRefusal.CSR_TOO_LARGE;
      case BAD_SIGNATURE -> CsrRefusal.BAD_SIGNATURE;
      case KEY_NOT_ALLOWED -> CsrRefusal.KEY_NOT_ALLOWED;
      case IDENTITY_MISMATCH -> CsrRefusal.IDENTITY_MISMATCH;
      case BAD_TTL -> CsrRefusal.BAD_TTL;
    };
    // The CA's message already starts with its reason name; keep only the detail.
    String detail = e.getMessage().startsWith(e.reason() + ": ") ? e.getMessage().substring(e.reason().name().length() + 2) : e.getMessage();
    return new CsrRefusedException(reason, detail);
  }
}
