package io.mizzen.plugins.ca.bouncycastle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Istio's cacerts layout: a root and an intermediate made here, the CA signing with the intermediate. */
@ExtendWith(VertxExtension.class)
class CacertsFolderTest {
  @TempDir Path cacerts;
  @TempDir Path state;

  @Test
  void anIntermediateFromCacertsSignsAndTheChainVerifies(Vertx vertx) throws Exception {
    Plugged plugged = writeCacerts(Csrs.generate("RSA", 2048), Csrs.ec());
    BouncyCastleAuthority ca = new BouncyCastleAuthority();
    Await.result(ca.start(StandaloneMeshContext.of(vertx, state, Map.of("cacertsDir", cacerts.toString()))));
    assertEquals(List.of(Pem.certificate(plugged.root)), ca.rootsPem());

    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), SpiffeId.parse(Csrs.SPIFFE_A), null)));
    List<X509Certificate> path = new ArrayList<>(Pem.certificates(issued.certificatePem(), "leaf"));
    path.addAll(Pem.certificates(issued.chainPem(), "chain"));
    assertEquals(plugged.intermediate, path.get(1), "the chain carries the intermediate, not the root");
    assertEquals(2, path.size());
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(plugged.root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    try (var files = Files.list(state)) {
      assertEquals(0, files.count(), "no root is generated when cacerts are plugged in");
    }
  }

  @Test
  void everyRootInRootCertPemIsTrustedDuringARootRotation(Vertx vertx) throws Exception {
    Plugged plugged = writeCacerts(Csrs.ec(), Csrs.ec());
    KeyPair oldRootKeys = Csrs.ec();
    X509Certificate oldRoot = cert(oldRootKeys, "O=Istio,CN=Old Root CA", oldRootKeys, "O=Istio,CN=Old Root CA", true);
    Files.writeString(cacerts.resolve(CacertsFolder.ROOT_CERT), Pem.certificate(plugged.root) + Pem.certificate(oldRoot));
    BouncyCastleAuthority ca = new BouncyCastleAuthority();
    Await.result(ca.start(StandaloneMeshContext.of(vertx, state, Map.of("cacertsDir", cacerts.toString()))));
    assertEquals(List.of(Pem.certificate(plugged.root), Pem.certificate(oldRoot)), ca.rootsPem());
    IssuedCertificate issued = Await.result(ca.sign(new SigningRequest(Csrs.forSpiffe(Csrs.ec(), Csrs.SPIFFE_A), SpiffeId.parse(Csrs.SPIFFE_A), null)));
    assertEquals(2, issued.rootsPem().size(), "workloads are handed both roots");
  }

  @Test
  void aMismatchedKeyIsRefusedNamingTheFile(Vertx vertx) throws Exception {
    writeCacerts(Csrs.ec(), Csrs.ec());
    Files.writeString(cacerts.resolve(CacertsFolder.CA_KEY), Pem.privateKey(Csrs.ec().getPrivate()));
    Throwable failure = Await.failure(new BouncyCastleAuthority()
        .start(StandaloneMeshContext.of(vertx, state, Map.of("cacertsDir", cacerts.toString()))));
    String message = failure.getMessage();
    assertTrue(message.contains(cacerts.resolve(CacertsFolder.CA_KEY).toString()) && message.contains("does not match"), message);
  }

  @Test
  void aMissingFileIsNamed(Vertx vertx) throws Exception {
    writeCacerts(Csrs.ec(), Csrs.ec());
    Files.delete(cacerts.resolve(CacertsFolder.CERT_CHAIN));
    Throwable failure = Await.failure(new BouncyCastleAuthority()
        .start(StandaloneMeshContext.of(vertx, state, Map.of("cacertsDir", cacerts.toString()))));
    assertTrue(failure.getMessage().contains(CacertsFolder.CERT_CHAIN) && failure.getMessage().contains("missing"), failure.getMessage());
  }

  @Test
  void aChainThatDoesNotReachTheRootIsRefused(Vertx vertx) throws Exception {
    writeCacerts(Csrs.ec(), Csrs.ec());
    KeyPair otherRoot = Csrs.ec();
    Files.writeString(cacerts.resolve(CacertsFolder.ROOT_CERT), Pem.certificate(cert(otherRoot, "O=other", otherRoot, "O=other", true)));
    Throwable failure = Await.failure(new BouncyCastleAuthority()
        .start(StandaloneMeshContext.of(vertx, state, Map.of("cacertsDir", cacerts.toString()))));
    assertTrue(failure.getMessage().contains(CacertsFolder.CERT_CHAIN) && failure.getMessage().contains("does not chain"), failure.getMessage());
  }

  @Test
  void aLeafCertificateCannotBeTheCa(Vertx vertx) throws Exception {
    KeyPair rootKeys = Csrs.ec();
    KeyPair caKeys = Csrs.ec();
    X509Certificate root = cert(rootKeys, "O=root", rootKeys, "O=root", true);
    X509Certificate notCa = cert(caKeys, "O=leaf", rootKeys, "O=root", false);
    Files.writeString(cacerts.resolve(CacertsFolder.CA_CERT), Pem.certificate(notCa));
    Files.writeString(cacerts.resolve(CacertsFolder.CA_KEY), Pem.privateKey(caKeys.getPrivate()));
    Files.writeString(cacerts.resolve(CacertsFolder.ROOT_CERT), Pem.certificate(root));
    Files.writeString(cacerts.resolve(CacertsFolder.CERT_CHAIN), Pem.certificate(notCa) + Pem.certificate(root));
    Throwable failure = Await.failure(new BouncyCastleAuthority()
        .start(StandaloneMeshContext.of(vertx, state, Map.of("cacertsDir", cacerts.toString()))));
    assertTrue(failure.getMessage().contains(CacertsFolder.CA_CERT) && failure.getMessage().contains("not a CA"), failure.getMessage());
  }

  record Plugged(X509Certificate root, X509Certificate intermediate) {}

  /** Writes the four files as Istio's tools/certs makes them: cert-chain = ca-cert + root. */
  private Plugged writeCacerts(KeyPair rootKeys, KeyPair caKeys) throws Exception {
    X509Certificate root = cert(rootKeys, "O=Istio,CN=Root CA", rootKeys, "O=Istio,CN=Root CA", true);
    X509Certificate ca = cert(caKeys, "O=Istio,CN=Intermediate CA", rootKeys, "O=Istio,CN=Root CA", true);
    Files.writeString(cacerts.resolve(CacertsFolder.CA_CERT), Pem.certificate(ca));
    Files.writeString(cacerts.resolve(CacertsFolder.CA_KEY), Pem.privateKey(caKeys.getPrivate()));
    Files.writeString(cacerts.resolve(CacertsFolder.ROOT_CERT), Pem.certificate(root));
    Files.writeString(cacerts.resolve(CacertsFolder.CERT_CHAIN), Pem.certificate(ca) + Pem.certificate(root));
    return new Plugged(root, ca);
  }

  static X509Certificate cert(KeyPair subject, String subjectName, KeyPair issuer, String issuerName, boolean isCa) throws Exception {
    Instant now = Instant.now();
    var builder = new JcaX509v3CertificateBuilder(new X500Name(issuerName), BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(365))), new X500Name(subjectName), subject.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (isCa) {
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    }
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder(IssuerMaterial.signatureAlgorithm(issuer.getPrivate())).build(issuer.getPrivate())));
  }
}
