package io.mizzen.kernel.inject.webhook;

import io.mizzen.kernel.agent.identity.KeyType;
import io.mizzen.kernel.agent.identity.WorkloadKeys;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's TLS identity: a key that never leaves memory and a certificate for the Service
 * name the API server dials, either signed by the mesh CA or self-signed when no CA runs.
 *
 * @param keyPem the private key, PKCS#8 PEM
 * @param certificateChainPem the leaf followed by its chain up to (not including) the root
 * @param caBundlePem what the MutatingWebhookConfiguration's {@code caBundle} must hold: the CA's
 *     roots, or the self-signed certificate itself
 * @param issuer {@code "mesh CA <name>"} or {@code "self-signed"}, for the log
 * @param notAfter when the certificate expires
 */
record WebhookCertificate(String keyPem, String certificateChainPem, String caBundlePem, String issuer, Instant notAfter) {

  /** Vert.x's TLS options for this identity. */
  PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().addKeyValue(Buffer.buffer(keyPem)).addCertValue(Buffer.buffer(certificateChainPem));
  }

  /**
   * A certificate from {@code ca} (already started) for {@code identity} plus {@code hosts} as SANs.
   *
   * @return a Future with the certificate, failed with the CA's refusal or failure
   */
  static Future<WebhookCertificate> fromCa(Vertx vertx, CertificateAuthority ca, SpiffeId identity, List<String> hosts, Duration ttl) {
    return WorkloadKeys.prepareUnnamed(vertx, identity, KeyType.EC_P256).compose(pending ->
        ca.signControlPlane(new SigningRequest(pending.csrPem(), identity, ttl), hosts).map(cert ->
            new WebhookCertificate(pkcs8(pending.keys()), cert.certificatePem() + cert.chainPem(),
                String.join("", cert.rootsPem()), "mesh CA " + ca.name(), cert.notAfter())));
  }

  /**
   * A self-signed certificate for {@code hosts} (the first is the subject), made on a worker thread.
   *
   * @return a Future with the certificate, failed only if the JVM lacks EC P-256 or SHA256withECDSA
   */
  static Future<WebhookCertificate> selfSigned(Vertx vertx, List<String> hosts, Duration ttl) {
    return vertx.executeBlocking(() -> {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = gen.generateKeyPair();
      Instant now = Instant.now();
      Instant notAfter = now.plus(ttl);
      X500Name name = new X500Name("CN=" + hosts.get(0) + ",O=mizzen webhook (self-signed)");
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
          new BigInteger(128, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))), Date.from(notAfter), name,
          keys.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, sans(hosts));
      // A CA bit lets the API server use this very certificate as the caBundle.
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
      String certPem = pem(holder);
      return new WebhookCertificate(pkcs8(keys), certPem, certPem, "self-signed", notAfter);
    }, false);
  }

  private static GeneralNames sans(List<String> hosts) {
    List<GeneralName> names = new ArrayList<>();
    for (String h : hosts) {
      names.add(isIpLiteral(h) ? new GeneralName(GeneralName.iPAddress, h) : new GeneralName(GeneralName.dNSName, h));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static boolean isIpLiteral(String host) {
    // Only literals: InetAddress would otherwise resolve a DNS name.
    if (!host.matches("[0-9.]+") && !host.contains(":")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("webhook host '" + host + "' is neither a DNS name nor an IP literal", e);
    }
  }

  private static String pem(Object object) throws java.io.IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(object);
    }
    return out.toString();
  }

  private static String pkcs8(KeyPair keys) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  @Override
  public String toString() {
    return "WebhookCertificate[" + issuer + ", until " + notAfter + ", key hidden]";
  }
}
