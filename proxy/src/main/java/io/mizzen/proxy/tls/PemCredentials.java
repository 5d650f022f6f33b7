package io.mizzen.proxy.tls;

import io.mizzen.spi.ca.WorkloadCredentials;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
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
    return Pem.privateKey(credentials.privateKeyPem(), (what, cause) -> new IllegalStateException(
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
}
