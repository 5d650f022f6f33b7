package io.mizzen.kernel.citadel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.ca.CredentialRefusedException;
import io.mizzen.spi.ca.IdentityVerifier;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials Citadel does not read itself, through an {@link IdentityVerifier}. The verifier
 * here stands in for Kubernetes' TokenReview API, which lies outside the system.
 */
class IdentityVerifierTest {
  static final String REVIEWS = "spiffe://cluster.local/ns/default/sa/reviews";
  static Vertx vertx;
  static BouncyCastleAuthority ca;

  @TempDir Path dir;
  MovableClock clock;
  CsrService service;

  /** What a TokenReview would answer for a few service-account JWTs. */
  static final class TokenReviewStandIn implements IdentityVerifier {
    private final Map<String, SpiffeId> valid = Map.of(
        "eyJ.reviews.sig", SpiffeId.of("cluster.local", "default", "reviews"),
        "eyJ.foreign.sig", SpiffeId.of("other.example", "default", "reviews"));

    @Override
    public String name() {
      return "kubernetes-tokenreview";
    }

    @Override
    public boolean accepts(String credential) {
      return credential.chars().filter(c -> c == '.').count() == 2 && credential.startsWith("eyJ");
    }

    @Override
    public Future<SpiffeId> verify(String credential, String trustDomain) {
      if (credential.equals("eyJ.expired.sig")) {
        return Future.failedFuture(new CredentialRefusedException(true, "the service-account token expired"));
      }
      if (credential.equals("eyJ.apiserver-down.sig")) {
        return Future.failedFuture(new IllegalStateException("TokenReview: connection refused"));
      }
      SpiffeId id = valid.get(credential);
      return id == null ? Future.failedFuture(new CredentialRefusedException(false, "TokenReview: not authenticated"))
          : Future.succeededFuture(id);
    }
  }

  @BeforeAll
  static void startCa() throws Exception {
    vertx = Vertx.vertx();
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(CaHost.of(vertx, Files.createTempDirectory("citadel-ca"))));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @BeforeEach
  void setUp() {
    clock = new MovableClock(Instant.now());
    service = CsrService.create(vertx, TokenStore.inFolder(dir, clock), List.of(new TokenReviewStandIn()), ca, "cluster.local",
        clock, CsrService.DEFAULT_REPLAY_WINDOW);
  }

  private Future<IssuedCertificate> send(String credential, String csr, String nonce) {
    return service.sign(new CsrRequest(credential, csr, nonce, clock.instant(), null), "10.0.0.7:41000");
  }

  private static CsrRefusal reason(Future<?> attempt) {
    Throwable failure = Await.failure(attempt);
    return assertInstanceOf(CsrRefusedException.class, failure, failure::toString).reason();
  }

  @Test
  void aVerifiedJwtGetsItsOwnIdentity() throws Exception {
    IssuedCertificate issued = Await.result(send("eyJ.reviews.sig", TestCsrs.forUri(REVIEWS), "jwt-nonce-00000001"));
    assertEquals(REVIEWS, CsrServiceTest.certificate(issued.certificatePem()).getSubjectAlternativeNames().iterator().next().get(1));
  }

  @Test
  void jwtRefusalsCarryTheirReasons() {
    assertEquals(CsrRefusal.IDENTITY_MISMATCH, reason(send("eyJ.reviews.sig", TestCsrs.forUri("spiffe://cluster.local/ns/default/sa/ratings"), "jwt-nonce-00000002")));
    assertEquals(CsrRefusal.EXPIRED_TOKEN, reason(send("eyJ.expired.sig", TestCsrs.forUri(REVIEWS), "jwt-nonce-00000003")));
    assertEquals(CsrRefusal.UNKNOWN_TOKEN, reason(send("eyJ.forged.sig", TestCsrs.forUri(REVIEWS), "jwt-nonce-00000004")));
    assertEquals(CsrRefusal.IDENTITY_MISMATCH, reason(send("eyJ.foreign.sig", TestCsrs.forUri(REVIEWS), "jwt-nonce-00000005")),
        "an identity outside the trust domain");
    assertEquals(CsrRefusal.MALFORMED_REQUEST, reason(send("not-a-jwt", TestCsrs.forUri(REVIEWS), "jwt-nonce-00000006")));
  }

  @Test
  void aReplayedJwtRequestIsRefused() {
    String csr = TestCsrs.forUri(REVIEWS);
    Await.result(send("eyJ.reviews.sig", csr, "jwt-nonce-00000007"));
    assertEquals(CsrRefusal.REPLAYED_REQUEST, reason(send("eyJ.reviews.sig", csr, "jwt-nonce-00000007")));
  }

  @Test
  void aVerifierThatCannotDecideIsAServerFailureNotARefusal() {
    Throwable failure = Await.failure(send("eyJ.apiserver-down.sig", TestCsrs.forUri(REVIEWS), "jwt-nonce-00000008"));
    assertFalse(failure instanceof CsrRefusedException, failure.toString());
    assertInstanceOf(IllegalStateException.class, failure);
  }
}
