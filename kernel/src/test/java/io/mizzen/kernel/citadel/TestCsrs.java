package io.mizzen.kernel.citadel;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** CSRs a hostile or broken client could send, built the way a client would. */
final class TestCsrs {
  private TestCsrs() {}

  static KeyPair keys(String algorithm, Object spec) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (spec instanceof Integer bits) {
        g.initialize(bits);
      } else if (spec instanceof String curve) {
        g.initialize(new ECGenParameterSpec(curve));
      }
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ec() {
    return keys("EC", "secp256r1");
  }

  static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  static String csr(KeyPair keys, String subject, List<GeneralName> sans) {
    String alg = switch (keys.getPrivate().getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "DSA" -> "SHA256withDSA";
      default -> "Ed25519";
    };
    try {
      var b = new JcaPKCS10CertificationRequestBuilder(subject.isEmpty() ? new X500Name(new RDN[0]) : new X500Name(subject), keys.getPublic());
      if (!sans.isEmpty()) {
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      }
      return pem(b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate())).getEncoded());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String forUri(String uri) {
    return csr(ec(), "", List.of(uri(uri)));
  }

  static String pem(byte[] der) {
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END CERTIFICATE REQUEST-----\n";
  }

  static String brokenSignature(String pem) {
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    der[der.length - 1] ^= 0x01;
    return pem(der);
  }
}
