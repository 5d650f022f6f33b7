package io.mizzen.kernel.citadel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.agent.identity.KeyType;
import io.mizzen.kernel.agent.identity.PendingIdentity;
import io.mizzen.kernel.agent.identity.WorkloadKeys;
import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSR service end to end: real token store, real CA plugin, the agent's own key and CSR. */
class CsrServiceTest {
  static final SpiffeId REVIEWS = SpiffeId.of("cluster.local", "default", "reviews");
  static final SpiffeId PRODUCTPAGE = SpiffeId.of("cluster.local", "default", "productpage");
  static Vertx vertx;
  static BouncyCastleAuthority ca;

  @TempDir Path tokens;
  MovableClock clock;
  TokenStore store;
  CsrService service;

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
    store = TokenStore.inFolder(tokens, clock);
    service = CsrService.create(vertx, store, ca, "cluster.local", clock);
  }

  @Test
  void anAgentWithATokenGetsItsOwnIdentity() throws Exception {
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    PendingIdentity pending = Await.result(WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256));
    IssuedCertificate issued = Await.result(service.sign(WorkloadKeys.request(token, pending, clock, null), "127.0.0.1:1"));

    X509Certificate leaf = certificate(issued.certificatePem());
    assertEquals(List.of(List.of(6, REVIEWS.uri())), List.copyOf(leaf.getSubjectAlternativeNames()));
    assertEquals(pending.keys().getPublic(), leaf.getPublicKey(), "the agent's own key, which never left it");
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(certificate(issued.rootsPem().get(0)), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
  }

  @Test
  void rsa2048FromTheAgentIsSignedToo() throws Exception {
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    PendingIdentity pending = Await.result(WorkloadKeys.prepare(vertx, REVIEWS, KeyType.RSA_2048));
    IssuedCertificate issued = Await.result(service.sign(WorkloadKeys.request(token, pending, clock, Duration.ofHours(2)), "peer"));
    assertEquals("RSA", certificate(issued.certificatePem()).getPublicKey().getAlgorithm());
  }

  @Test
  void aWorkloadCannotObtainAnotherIdentitysCertificate() throws Exception {
    String reviewsToken = store.create("default", "reviews", Duration.ofHours(1)).token();
    PendingIdentity asProductpage = Await.result(WorkloadKeys.prepare(vertx, PRODUCTPAGE, KeyType.EC_P256));
    Throwable refused = Await.failure(service.sign(WorkloadKeys.request(reviewsToken, asProductpage, clock, null), "peer"));
    assertEquals(CsrRefusal.IDENTITY_MISMATCH, assertInstanceOf(CsrRefusedException.class, refused).reason());

    // A CSR with no name at all still only ever yields the token's own identity.
    String anonymous = TestCsrs.csr(TestCsrs.ec(), "", List.of());
    IssuedCertificate issued = Await.result(service.sign(new CsrRequest(reviewsToken, anonymous, "nonce-anonymous-0001", clock.instant(), null), "peer"));
    assertEquals(REVIEWS.uri(), certificate(issued.certificatePem()).getSubjectAlternativeNames().iterator().next().get(1));
  }

  @Test
  void refusalsAreSecurityEventsThatNeverCarryTheSecret() throws Exception {
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      Await.failure(service.sign(new CsrRequest(token, TestCsrs.forUri(PRODUCTPAGE.uri()), "nonce-event-test-01", clock.instant(), null), "10.1.2.3:5000"));
      Await.failure(service.sign(new CsrRequest(token + "x", TestCsrs.forUri(REVIEWS.uri()), "nonce-event-test-02", clock.instant(), null), "10.1.2.3:5000"));
    } finally {
      System.setErr(err);
    }
    String logged = log.toString(StandardCharsets.UTF_8);
    // On its own logger, so operators can route or filter security events by name.
    assertTrue(logged.contains("WARN mizzen.citadel.security - event=csr_refused"), logged);
    assertTrue(logged.contains("event=csr_refused reason=IDENTITY_MISMATCH credential=" + token.split("\\.")[1] + " peer=10.1.2.3:5000"), logged);
    assertTrue(logged.contains("event=csr_refused reason=MALFORMED_REQUEST"), logged);
    assertFalse(logged.contains(token.substring(token.lastIndexOf('.') + 1)), "the secret is never logged");
  }

  @Test
  void aCaThatIsNotStartedIsAServerFailureNotARefusal() {
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    CsrService broken = CsrService.create(vertx, store, new BouncyCastleAuthority(), "cluster.local", clock);
    Throwable failure = Await.failure(broken.sign(new CsrRequest(token, TestCsrs.forUri(REVIEWS.uri()), "nonce-not-started-1", clock.instant(), null), "peer"));
    assertInstanceOf(IllegalStateException.class, failure);
  }

  static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

}
