package io.mizzen.proxy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA that writes PEM files for Gateway servers and clients into a folder. Test only. */
final class GatewayPki {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());
  private final KeyPair caKeys = ec();
  private final X509Certificate ca;
  private final X500Name issuer;
  final Path dir;
  final Path caPem;

  GatewayPki(Path dir, String name) throws Exception {
    this.dir = dir;
    Instant now = Instant.now();
    issuer = new X500Name("CN=" + name);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), issuer, caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca = sign(b);
    caPem = write(dir.resolve(name + "-ca.pem"), pem("CERTIFICATE", ca.getEncoded()));
  }

  /** A leaf certificate for a DNS name (server) or a client; returns {cert, key} paths (key in PKCS#8). */
  Path[] leaf(String dnsName, Path folder, String certFile, String keyFile) throws Exception {
    return leaf(dnsName, folder, certFile, keyFile, false);
  }

  /**
   * As {@link #leaf(String, Path, String, String)}; with {@code sec1} the key is written as
   * OpenSSL's traditional {@code BEGIN EC PRIVATE KEY}, as cert-manager and older tools write keys.
   */
  Path[] leaf(String dnsName, Path folder, String certFile, String keyFile, boolean sec1) throws Exception {
    Files.createDirectories(folder);
    KeyPair keys = ec();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))),
        new X500Name("CN=" + dnsName), keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    X509Certificate cert = sign(b);
    return new Path[] {
        write(folder.resolve(certFile), pem("CERTIFICATE", cert.getEncoded())),
        write(folder.resolve(keyFile), sec1 ? traditional(keys.getPrivate()) : pem("PRIVATE KEY", keys.getPrivate().getEncoded()))};
  }

  /**
   * OpenSSL's traditional form of a key, as BouncyCastle writes it ({@code BEGIN EC/RSA PRIVATE
   * KEY}); an EC key is re-read through BouncyCastle first, so its SEC1 form names its curve, as
   * OpenSSL's always does (the JDK's PKCS#8 encoding leaves it to the outer algorithm identifier).
   */
  static String traditional(java.security.PrivateKey key) throws Exception {
    if (key instanceof java.security.interfaces.ECPrivateKey) {
      key = java.security.KeyFactory.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider())
          .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
    }
    java.io.StringWriter out = new java.io.StringWriter();
    try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      w.writeObject(new org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator(key));
    }
    return out.toString();
  }

  private X509Certificate sign(JcaX509v3CertificateBuilder b) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
  }

  private static Path write(Path p, String text) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
