package io.mizzen.proxy.tls;

import io.mizzen.spi.ca.SpiffeId;
import io.mizzen.spi.ca.WorkloadCredentials;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
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

/** A mesh root that mints workload certificates, valid or not, like Citadel would. Test only. */
final class TestPki {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());
  final KeyPair rootKeys = ec();
  final X509Certificate root;
  private final X500Name issuer;

  TestPki(String name) throws Exception {
    Instant now = Instant.now();
    issuer = new X500Name("O=" + name);
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), issuer,
        rootKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    root = sign(b, rootKeys);
  }

  String rootPem() throws Exception {
    return pem("CERTIFICATE", root.getEncoded());
  }

  /** A workload certificate for {@code sa} in {@code default}, valid now. */
  WorkloadCredentials workload(String sa) throws Exception {
    Instant now = Instant.now();
    return workload(sa, now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)), List.of(rootPem()));
  }

  WorkloadCredentials workload(String sa, Instant notBefore, Instant notAfter, List<String> roots) throws Exception {
    KeyPair keys = ec();
    SpiffeId id = SpiffeId.of("cluster.local", "default", sa);
    BigInteger serial = serial();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
        serial, Date.from(notBefore), Date.from(notAfter), new X500Name(""), keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.uri())));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    X509Certificate leaf = sign(b, rootKeys);
    return new WorkloadCredentials(id, pem("CERTIFICATE", leaf.getEncoded()), pem("PRIVATE KEY", keys.getPrivate().getEncoded()),
        roots, serial.toString(16), notAfter);
  }

  /**
   * A leaf for plain (non-mesh) TLS: subject {@code CN=cn}, the DNS SANs given, signed by this
   * root. Returns the certificate and the PKCS#8 key, PEM.
   */
  String[] tlsLeaf(String cn, String... dnsNames) throws Exception {
    Instant now = Instant.now();
    KeyPair keys = ec();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(),
        Date.from(now.minus(Duration.ofMinutes(1))), Date.from(now.plus(Duration.ofHours(1))), new X500Name("CN=" + cn),
        keys.getPublic());
    if (dnsNames.length > 0) {
      GeneralName[] names = new GeneralName[dnsNames.length];
      for (int i = 0; i < dnsNames.length; i++) {
        names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
    }
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    X509Certificate leaf = sign(b, rootKeys);
    return new String[] {pem("CERTIFICATE", leaf.getEncoded()), pem("PRIVATE KEY", keys.getPrivate().getEncoded())};
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
  }
}
