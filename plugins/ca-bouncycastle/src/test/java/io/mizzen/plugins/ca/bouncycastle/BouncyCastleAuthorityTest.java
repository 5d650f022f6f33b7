package io.mizzen.plugins.ca.bouncycastle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRefusedException;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class BouncyCastleAuthorityTest {
  private static final SpiffeId PRODUCTPAGE = SpiffeId.parse(Csrs.SPIFFE_A);

  @TempDir Path state;
  private BouncyCastleAuthority ca;

  @BeforeEach
  void start(Vertx vertx) {
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(StandaloneMeshContext.of(vertx, state, Map.of("maxWorkloadTtl", "48h"))));
  }

  @Test
  void issuedChainVerifiesAgainstTheRootAndNamesOnlyTheSpiffeId() throws Exception {
    Instant before = Instant.now();
    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), PRODUCTPAGE, null)));

    X509Certificate leaf = Pem.certificates(issued.certificatePem(), "leaf").get(0);
    X509Certificate root = Pem.certificates(ca.rootsPem().get(0), "root").get(0);
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
    var result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX").validate(path, params);
    assertEquals(root, result.getTrustAnchor().getTrustedCert());

    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    assertEquals(List.of(List.of(6, Csrs.SPIFFE_A)), new ArrayList<>(sans));
    assertEquals("", leaf.getSubjectX500Principal().getName());
    assertTrue(leaf.getCriticalExtensionOIDs().contains("2.5.29.17"), "SAN is critical under an empty subject");
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage());
    boolean[] usage = leaf.getKeyUsage();
    assertTrue(usage[0] && usage[2], "digitalSignature and keyEncipherment");
    assertFalse(usage[5], "no keyCertSign");
    assertEquals(-1, leaf.getBasicConstraints(), "not a CA");
    assertEquals("EC", leaf.getPublicKey().getAlgorithm());

    Duration lifetime = Duration.between(before, leaf.getNotAfter().toInstant());
    assertTrue(lifetime.compareTo(Duration.ofHours(24).minusMinutes(1)) > 0 && lifetime.compareTo(Duration.ofHours(24).plusMinutes(1)) < 0,
        "default TTL is 24 h, was " + lifetime);
    assertEquals(leaf.getSerialNumber().toString(16), issued.serial());
    assertTrue(leaf.getSerialNumber().bitLength() > 64, "random serial of up to 128 bits");
    assertEquals("", issued.chainPem(), "a generated root signs directly");
    assertEquals(ca.rootsPem(), issued.rootsPem());
  }

  @Test
  void serialsAreRandomAndDistinct() {
    Set<String> serials = new java.util.HashSet<>();
    for (int i = 0; i < 20; i++) {
      serials.add(Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), PRODUCTPAGE, null))).serial());
    }
    assertEquals(20, serials.size());
  }

  @Test
  void rsa2048IsAcceptedAndLongLifetimesAreCappedAtTheMaximum() {
    var rsa = Csrs.generate("RSA", 2048);
    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(rsa, Csrs.SPIFFE_A), PRODUCTPAGE, Duration.ofDays(30))));
    X509Certificate leaf = Pem.certificates(issued.certificatePem(), "leaf").get(0);
    assertEquals("RSA", leaf.getPublicKey().getAlgorithm());
    Duration lifetime = Duration.between(Instant.now(), issued.notAfter());
    assertTrue(lifetime.compareTo(Duration.ofHours(48)) <= 0 && lifetime.compareTo(Duration.ofHours(47)) > 0,
        "capped at maxWorkloadTtl 48h, was " + lifetime);
  }

  @Test
  void aCsrWithoutNamesGetsTheProvenIdentity() {
    String csr = Csrs.build(Csrs.ec(), "SHA256withECDSA", "", List.of(), List.of());
    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(csr, PRODUCTPAGE, Duration.ofHours(1))));
    X509Certificate leaf = Pem.certificates(issued.certificatePem(), "leaf").get(0);
    assertEquals(Csrs.SPIFFE_A, new ArrayList<>(rethrow(leaf)).get(0).get(1));
  }

  @Test
  void aWorkloadCannotObtainAnotherIdentitysCertificate() {
    // Credential proves productpage; the CSR asks for reviews.
    Throwable refused = Await.failure(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_B), PRODUCTPAGE, null)));
    SigningRefusedException e = assertInstanceOf(SigningRefusedException.class, refused);
    assertEquals(SigningRefusedException.Reason.IDENTITY_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains(Csrs.SPIFFE_B) && e.getMessage().contains(Csrs.SPIFFE_A), e.getMessage());
  }

  @Test
  void theControlPlaneServingCertificateAddsItsHosts() throws Exception {
    SpiffeId istiod = SpiffeId.of("cluster.local", "istio-system", "istiod");
    String csr = Csrs.build(Csrs.ec(), "SHA256withECDSA", "", List.of(), List.of());
    IssuedCertificate issued = Await.result(ca.signControlPlane(new SigningRequest(csr, istiod, null),
        List.of("istiod.istio-system.svc", "localhost", "127.0.0.1")));
    X509Certificate leaf = Pem.certificates(issued.certificatePem(), "leaf").get(0);
    assertEquals(List.of(List.of(6, istiod.uri()), List.of(2, "istiod.istio-system.svc"), List.of(2, "localhost"),
        List.of(7, "127.0.0.1")), new ArrayList<>(leaf.getSubjectAlternativeNames()));

    Throwable refused = Await.failure(ca.signControlPlane(new SigningRequest(csr, istiod, null), List.of("evil/../host")));
    assertInstanceOf(SigningRefusedException.class, refused);
    // The same CSR checks apply: a CSR naming someone else is refused here too.
    Throwable mismatch = Await.failure(ca.signControlPlane(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), istiod, null), List.of("localhost")));
    assertEquals(SigningRefusedException.Reason.IDENTITY_MISMATCH, assertInstanceOf(SigningRefusedException.class, mismatch).reason());
  }

  @Test
  void signingBeforeStartFailsClearly() {
    Throwable failure = Await.failure(new BouncyCastleAuthority().sign(new SigningRequest("x", PRODUCTPAGE, null)));
    assertInstanceOf(IllegalStateException.class, failure);
    assertTrue(failure.getMessage().contains("not started"));
    assertTrue(new BouncyCastleAuthority().rootsPem().isEmpty());
  }

  @Test
  void invalidSettingsAreRefusedNamingEachField(Vertx vertx) {
    Throwable failure = Await.failure(new BouncyCastleAuthority().start(StandaloneMeshContext.of(vertx, state,
        Map.of("workloadTtl", "soon", "maxCsrBytes", "big", "colour", "blue"))));
    String message = failure.getMessage();
    assertTrue(message.contains("workloadTtl") && message.contains("maxCsrBytes") && message.contains("colour"), message);
    assertNull(null);
  }

  private static Collection<List<?>> rethrow(X509Certificate leaf) {
    try {
      return leaf.getSubjectAlternativeNames();
    } catch (java.security.cert.CertificateParsingException e) {
      throw new AssertionError(e);
    }
  }
}
