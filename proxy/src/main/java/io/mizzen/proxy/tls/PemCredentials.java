package io.mizzen.proxy.tls;

import io.mizzen.spi.ca.WorkloadCredentials;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A workload's credentials read from PEM into JDK objects.
 *
 * @param key the leaf's private key
 * @param chain the leaf first, then any intermediates
 * @param roots every root to trust peers by
 * @param serial the leaf's serial, hex
 */
record PemCredentials(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> roots, String serial) {
  PemCredentials {
    chain = List.copyOf(chain);
    roots = List.copyOf(roots);
  }

  /**
   * Reads the credentials.
   *
   * @throws IllegalStateException naming the part (privateKeyPem, certificateChainPem, rootsPem)
   *     that is unreadable or missing
   */
  static PemCredentials of(WorkloadCredentials credentials) {
    List<X509Certificate> chain = certificates("certificateChainPem", credentials.certificateChainPem());
    List<X509Certificate> roots = new ArrayList<>();
    for (String root : credentials.rootsPem()) {
      roots.addAll(certificates("rootsPem", root));
    }
    if (roots.isEmpty()) {
      throw new IllegalStateException("workload credentials " + credentials.identity() + ": rootsPem holds no certificate");
    }
    return new PemCredentials(key(credentials), chain, roots, chain.get(0).getSerialNumber().toString(16));
  }

  private static List<X509Certificate> certificates(String field, String pem) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IllegalStateException("workload credentials: " + field + " holds no certificate");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalStateException("workload credentials: " + field + " is not PEM X.509: " + e.getMessage(), e);
    }
  }

  private static PrivateKey key(WorkloadCredentials credentials) {
    String pem = credentials.privateKeyPem();
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalStateException("workload credentials " + credentials.identity() + ": privateKeyPem is not a PKCS#8 PEM key");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("workload credentials " + credentials.identity() + ": privateKeyPem is not base64", e);
    }
    try {
      return pkcs8(der);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("workload credentials " + credentials.identity() + ": privateKeyPem is neither an EC nor an RSA key: "
          + e.getMessage(), e);
    }
  }

  /**
   * A PKCS#8 private key, EC or RSA. The agent makes EC P-256 keys by default and RSA 2048 on
   * request; PKCS#8 says which, but trying both is simpler than parsing the algorithm identifier.
   */
  static java.security.PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }
}
