package io.mizzen.kernel.citadel;

import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.CredentialRefusedException;
import io.mizzen.spi.ca.IdentityVerifier;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRefusedException;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CsrService} for bootstrap tokens, and for any other credential a loaded
 * {@link IdentityVerifier} reads (a Kubernetes service-account JWT, say).
 */
final class TokenCsrService implements CsrService {
  private static final Logger LOG = LoggerFactory.getLogger(TokenCsrService.class);
  private static final String BOOTSTRAP_PREFIX = "mzt.";
  private final Vertx vertx;
  private final TokenStore tokens;
  private final List<IdentityVerifier> verifiers;
  private final CertificateAuthority ca;
  private final String trustDomain;
  private final ReplayGuard replays;
  private final SecurityEvents events = new SecurityEvents();

  /** An identity and the id of the credential that proved it (never the credential itself). */
  private record Proven(SpiffeId identity, String credentialId) {}

  TokenCsrService(Vertx vertx, TokenStore tokens, List<IdentityVerifier> verifiers, CertificateAuthority ca, String trustDomain,
      ReplayGuard replays) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.verifiers = List.copyOf(verifiers);
    this.ca = ca;
    this.trustDomain = trustDomain;
    this.replays = replays;
  }

  @Override
  public Future<IssuedCertificate> sign(CsrRequest request, String peer) {
    String credentialId = request == null ? "-" : credentialId(request.token());
    Future<IssuedCertificate> result;
    if (request == null) {
      result = Future.failedFuture(new CsrRefusedException(CsrRefusal.MALFORMED_REQUEST, "empty request"));
    } else {
      result = prove(request.token()).compose(proven -> {
        // After the credential check, so unauthenticated callers cannot fill the nonce table.
        replays.admit(proven.credentialId(), request.nonce(), request.timestamp());
        CsrNames.requireOnly(request.csrPem(), proven.identity(), MAX_CSR_CHARS);
        return ca.sign(new SigningRequest(request.csrPem(), proven.identity(), request.ttl()))
            .recover(e -> Future.failedFuture(e instanceof SigningRefusedException refused ? translate(refused) : e))
            .onSuccess(cert -> events.issued(proven.identity(), cert, proven.credentialId(), peer));
      });
    }
    return result.onFailure(e -> {
      if (e instanceof CsrRefusedException refused) {
        events.refused(refused, credentialId, peer);
      } else {
        LOG.error("CSR from {} (credential {}) failed inside the control plane: {}", peer, credentialId, e.toString());
      }
    });
  }

  private Future<Proven> prove(String credential) {
    if (credential == null || credential.isEmpty()) {
      return Future.failedFuture(new CsrRefusedException(CsrRefusal.UNKNOWN_TOKEN, "no credential presented"));
    }
    if (credential.startsWith(BOOTSTRAP_PREFIX)) {
      // The token file is read (and re-read when it changes) off the event loop.
      return vertx.<TokenStore.TokenInfo>executeBlocking(() -> tokens.verify(credential), false)
          .map(token -> new Proven(SpiffeId.of(trustDomain, token.namespace(), token.serviceAccount()), token.id()));
    }
    for (IdentityVerifier verifier : verifiers) {
      if (verifier.accepts(credential)) {
        return verifier.verify(credential, trustDomain)
            .recover(e -> Future.failedFuture(e instanceof CredentialRefusedException refused
                ? new CsrRefusedException(refused.expired() ? CsrRefusal.EXPIRED_TOKEN : CsrRefusal.UNKNOWN_TOKEN,
                    verifier.name() + ": " + refused.getMessage())
                : e))
            .compose(identity -> identity.trustDomain().equals(trustDomain)
                ? Future.succeededFuture(new Proven(identity, verifier.name() + ":" + credentialId(credential)))
                : Future.failedFuture(new CsrRefusedException(CsrRefusal.IDENTITY_MISMATCH, verifier.name() + " proved "
                    + identity + ", which is outside this mesh's trust domain " + trustDomain)));
      }
    }
    return Future.failedFuture(new CsrRefusedException(CsrRefusal.MALFORMED_REQUEST,
        "the credential is neither a bootstrap token (mzt.<id>.<secret>) nor of a kind a loaded verifier reads "
            + verifiers.stream().map(IdentityVerifier::name).toList()));
  }

  /** A bootstrap token's id, or a short hash of any other credential: safe to log. */
  static String credentialId(String credential) {
    if (credential == null || credential.isEmpty()) {
      return "-";
    }
    String id = TokenFile.idOf(credential);
    if (!id.equals("-")) {
      return id;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
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
    // The CA's message starts with its reason's name; keep only the detail.
    String prefix = e.reason().name() + ": ";
    String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
    return new CsrRefusedException(reason, detail);
  }
}
