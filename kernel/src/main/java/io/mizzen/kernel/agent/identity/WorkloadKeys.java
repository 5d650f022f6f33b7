package io.mizzen.kernel.agent.identity;

import io.mizzen.kernel.citadel.CsrRequest;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The agent's side of getting a certificate: make a key locally, and a CSR for the workload's
 * SPIFFE ID (empty subject, the URI as the only SAN, as Istio's agent sends it). Key generation and
 * signing run on a worker, never on the event loop.
 */
public final class WorkloadKeys {
  private WorkloadKeys() {}

  /**
   * Makes a key of {@code type} and a CSR for {@code identity}.
   *
   * @return a Future completed, on the caller's context, with the key and CSR; failed only if the
   *     JVM lacks the algorithm
   */
  public static Future<PendingIdentity> prepare(Vertx vertx, SpiffeId identity, KeyType type) {
    return vertx.executeBlocking(() -> {
      KeyPair keys = generate(type);
      return new PendingIdentity(identity, keys, csr(keys, type, identity));
    }, false);
  }

  /**
   * Makes a key and a CSR that names nobody (the CA writes in the identity and any host names):
   * for the control plane's own serving certificate.
   */
  public static Future<PendingIdentity> prepareUnnamed(Vertx vertx, SpiffeId identity, KeyType type) {
    return vertx.executeBlocking(() -> {
      KeyPair keys = generate(type);
      return new PendingIdentity(identity, keys, csr(keys, type, null));
    }, false);
  }

  /** A request to send with {@code token}: a fresh 128-bit nonce and the current time. */
  public static CsrRequest request(String token, PendingIdentity pending, Clock clock, Duration ttl) {
    byte[] nonce = new byte[16];
    new SecureRandom().nextBytes(nonce);
    return new CsrRequest(token, pending.csrPem(), Base64.getUrlEncoder().withoutPadding().encodeToString(nonce), clock.instant(), ttl);
  }

  private static KeyPair generate(KeyType type) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(type.algorithm());
    if (type == KeyType.EC_P256) {
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    } else {
      generator.initialize(2048, new SecureRandom());
    }
    return generator.generateKeyPair();
  }

  /** Blocking: signs the CSR; {@code identity} null for a CSR that names nobody. */
  static String csr(KeyPair keys, KeyType type, SpiffeId identity) throws IOException, OperatorCreationException {
    var builder = new JcaPKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), keys.getPublic());
    if (identity != null) {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())));
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
    }
    byte[] der = builder.build(new JcaContentSignerBuilder(type.signature()).build(keys.getPrivate())).getEncoded();
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }
}
