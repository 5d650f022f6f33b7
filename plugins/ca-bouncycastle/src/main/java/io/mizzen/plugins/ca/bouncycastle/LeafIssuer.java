package io.mizzen.plugins.ca.bouncycastle;

import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes workload certificates the way Istio's CA does: an empty subject, the SPIFFE URI as the
 * only (and so critical) subjectAltName, digitalSignature + keyEncipherment, serverAuth +
 * clientAuth, CA:FALSE, a random 128-bit serial. Blocking (it signs): run it through
 * {@code executeBlocking}. Thread-safe.
 */
final class LeafIssuer {
  // Backdated so a peer whose clock is a little behind does not see a not-yet-valid certificate.
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  private final IssuerMaterial issuer;
  private final X500Name issuerName;
  private final Extension authorityKeyId;
  private final String chainPem;
  private final List<String> rootsPem;
  private final Clock clock;
  private final SecureRandom random;
  private final Provider crypto;
  private final PrivateKey signingKey;

  /** @param crypto the provider that signs (BouncyCastle's: several times SunEC's speed) */
  LeafIssuer(IssuerMaterial issuer, Clock clock, SecureRandom random, Provider crypto) {
    this.issuer = issuer;
    this.clock = clock;
    this.random = random;
    this.crypto = crypto;
    try {
      // The provider's own key object, converted once, not on every signature.
      this.signingKey = KeyFactory.getInstance(issuer.key().getAlgorithm(), crypto)
          .generatePrivate(new PKCS8EncodedKeySpec(issuer.key().getEncoded()));
      // The issuer's subject exactly as encoded, so path building matches byte for byte.
      this.issuerName = new JcaX509CertificateHolder(issuer.cert()).getSubject();
      this.authorityKeyId = new Extension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.cert()).getEncoded());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot read the CA certificate " + issuer.cert().getSubjectX500Principal(), e);
    }
    StringBuilder chain = new StringBuilder();
    for (X509Certificate c : issuer.intermediates()) {
      chain.append(Pem.certificate(c));
    }
    this.chainPem = chain.toString();
    this.rootsPem = issuer.roots().stream().map(Pem::certificate).toList();
  }

  List<String> rootsPem() {
    return rootsPem;
  }

  private static GeneralName[] names(SpiffeId identity, List<GeneralName> extra) {
    GeneralName[] names = new GeneralName[1 + extra.size()];
    names[0] = new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri());
    for (int i = 0; i < extra.size(); i++) {
      names[i + 1] = extra.get(i);
    }
    return names;
  }

  /** Certifies {@code key} as {@code identity} for {@code ttl}, never past the CA's own expiry. */
  IssuedCertificate issue(SubjectPublicKeyInfo key, SpiffeId identity, Duration ttl) {
    return issue(key, identity, ttl, List.of());
  }

  /**
   * As {@link #issue(SubjectPublicKeyInfo, SpiffeId, Duration)}, with extra SANs after the SPIFFE
   * URI: for the control plane's serving certificate only, never for a workload's request.
   */
  IssuedCertificate issue(SubjectPublicKeyInfo key, SpiffeId identity, Duration ttl, List<GeneralName> extraNames) {
    Instant now = clock.instant();
    Instant notAfter = now.plus(ttl);
    Instant caNotAfter = issuer.cert().getNotAfter().toInstant();
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    BigInteger serial = new BigInteger(128, random).setBit(0);
    try {
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuerName, serial,
              Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), key)
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(authorityKeyId)
          .addExtension(Extension.subjectAlternativeName, true,
              new GeneralNames(names(identity, extraNames)));
      ContentSigner signer = new JcaContentSignerBuilder(issuer.signatureAlgorithm()).setProvider(crypto).build(signingKey);
      // Straight from BouncyCastle's encoding: parsing it back into a JDK certificate only to
      // print it again costs a tenth of the signing time.
      X509CertificateHolder cert = builder.build(signer);
      return new IssuedCertificate(Pem.encode("CERTIFICATE", cert.getEncoded()), chainPem, rootsPem, serial.toString(16),
          cert.getNotAfter().toInstant());
    } catch (java.io.IOException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("CA failed to sign a certificate for " + identity + ": " + e.getMessage(), e);
    }
  }
}
