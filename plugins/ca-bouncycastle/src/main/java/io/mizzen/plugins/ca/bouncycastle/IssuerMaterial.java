package io.mizzen.plugins.ca.bouncycastle;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the CA signs with: its certificate and key, the certificates between it and the root (empty
 * when it is the root), and the roots workloads must trust.
 *
 * @param cert the signing certificate
 * @param key its private key; {@link #toString()} never shows it
 * @param intermediates from the signing certificate's issuer up to (not including) the root; for
 *     an intermediate CA the signing certificate itself comes first
 * @param roots the trust anchors, PEM-ready
 */
record IssuerMaterial(X509Certificate cert, PrivateKey key, List<X509Certificate> intermediates, List<X509Certificate> roots) {
  IssuerMaterial {
    intermediates = List.copyOf(intermediates);
    roots = List.copyOf(roots);
  }

  /** The JCA name of the signature this CA's key makes. */
  String signatureAlgorithm() {
    return signatureAlgorithm(key);
  }

  static String signatureAlgorithm(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> throw new IllegalArgumentException("unsupported CA key type " + key.getAlgorithm() + " (use EC or RSA)");
    };
  }

  /**
   * Whether {@code key} belongs to {@code cert}: signs a probe with the one and verifies it with the
   * other, which works for every key type without deriving public keys.
   */
  static boolean matches(PrivateKey key, X509Certificate cert) {
    if (!key.getAlgorithm().equals(cert.getPublicKey().getAlgorithm())) {
      return false;
    }
    try {
      byte[] probe = "mizzen-ca-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      String alg = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "IssuerMaterial[cert=" + cert.getSubjectX500Principal() + ", key=<hidden>, intermediates="
        + intermediates.size() + ", roots=" + roots.size() + "]";
  }
}
