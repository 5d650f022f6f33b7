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
import java.util.function.BiFunction;

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
    return x509(pem.getBytes(StandardCharsets.US_ASCII),
        (what, cause) -> new IllegalStateException("workload credentials: " + field + " " + what, cause));
  }

  private static PrivateKey key(WorkloadCredentials credentials) {
    return pkcs8Pem(credentials.privateKeyPem(), (what, cause) -> new IllegalStateException(
        "workload credentials " + credentials.identity() + ": privateKeyPem " + what, cause));
  }

  /**
   * The X.509 certificates of a PEM text, at least one. Failures are {@code fail(what, cause)},
   * {@code what} saying what is wrong ({@code holds no certificate}, {@code is not PEM X.509: ...}).
   */
  static List<X509Certificate> x509(byte[] pem, BiFunction<String, Throwable, RuntimeException> fail) {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (var c : factory.generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
    } catch (CertificateException | RuntimeException e) {
      throw fail.apply("is not PEM X.509: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw fail.apply("holds no certificate", null);
    }
    return out;
  }

  /**
   * The private key of a PKCS#8 PEM text ({@code -----BEGIN PRIVATE KEY-----}), EC or RSA. The
   * agent makes EC P-256 keys by default and RSA 2048 on request; PKCS#8 says which, but trying
   * both is simpler than parsing the algorithm identifier. Failures are {@code fail(what, cause)}.
   */
  static PrivateKey pkcs8Pem(String pem, BiFunction<String, Throwable, RuntimeException> fail) {
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw fail.apply("is not a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)", null);
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
    } catch (IllegalArgumentException e) {
      throw fail.apply("is not base64: " + e.getMessage(), e);
    }
    GeneralSecurityException last = null;
    for (String algorithm : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw fail.apply("is neither an EC nor an RSA key: " + last.getMessage(), last);
  }
}
