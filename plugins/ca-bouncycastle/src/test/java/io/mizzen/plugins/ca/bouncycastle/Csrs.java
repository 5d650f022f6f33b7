package io.mizzen.plugins.ca.bouncycastle;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Builds CSRs for tests, good ones and every kind of bad one a client could send. */
final class Csrs {
  static final String SPIFFE_A = "spiffe://cluster.local/ns/default/sa/productpage";
  static final String SPIFFE_B = "spiffe://cluster.local/ns/default/sa/reviews";

  private Csrs() {}

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ec() {
    return ec("secp256r1");
  }

  static KeyPair generate(String algorithm, int size) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (size > 0) {
        g.initialize(size);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String signatureFor(KeyPair keys) {
    return switch (keys.getPrivate().getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "DSA" -> "SHA256withDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException(keys.getPrivate().getAlgorithm());
    };
  }

  /** A CSR with the URI SAN {@code spiffe}, as the agent sends it. */
  static String forSpiffe(KeyPair keys, String spiffe) {
    return build(keys, signatureFor(keys), "", List.of(new GeneralName(GeneralName.uniformResourceIdentifier, spiffe)), List.of());
  }

  /**
   * A CSR with any subject, SANs and extra extensions.
   *
   * @param subject an X.500 name string, empty for none
   */
  static String build(KeyPair keys, String signatureAlg, String subject, List<GeneralName> sans, List<ASN1ObjectIdentifier> extraExtensions) {
    try {
      PKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(
          subject.isEmpty() ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0]) : new X500Name(subject), keys.getPublic());
      if (!sans.isEmpty() || !extraExtensions.isEmpty()) {
        ExtensionsGenerator ext = new ExtensionsGenerator();
        if (!sans.isEmpty()) {
          ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        }
        for (ASN1ObjectIdentifier oid : extraExtensions) {
          ext.addExtension(oid, false, new org.bouncycastle.asn1.x509.BasicConstraints(true));
        }
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      }
      byte[] der = b.build(new JcaContentSignerBuilder(signatureAlg).build(keys.getPrivate())).getEncoded();
      return Pem.encode("CERTIFICATE REQUEST", der);
    } catch (Exception e) {
      throw new IllegalStateException("cannot build test CSR: " + e.getMessage(), e);
    }
  }

  static byte[] der(String pem) {
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }

  /** The same CSR with one bit of its signature (the last byte of the DER) flipped. */
  static String withBrokenSignature(String pem) {
    byte[] der = der(pem);
    der[der.length - 1] ^= 0x01;
    return Pem.encode("CERTIFICATE REQUEST", der);
  }

  /** The same CSR with its public key replaced by another key's: the signature no longer matches. */
  static String withKeyOf(KeyPair signer, KeyPair claimed, String spiffe) {
    // Sign with one key while advertising another, so the self-signature cannot verify.
    try {
      PKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(
          new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), claimed.getPublic());
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffe)));
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      return Pem.encode("CERTIFICATE REQUEST", b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())).getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static List<GeneralName> names(GeneralName... names) {
    return new ArrayList<>(List.of(names));
  }
}
