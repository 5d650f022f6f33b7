package io.mizzen.proxy.tls;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server check of TLS origination, as Envoy does it for a DestinationRule: the chain verifies
 * against {@code caCertificates} when some are given (PKIX: signatures, validity dates; no host
 * name check), and the leaf carries one of {@code subjectAltNames} when some are given. With
 * neither, any server is accepted (Istio 1.4's behaviour without {@code caCertificates}).
 */
final class SanCheckingTrustManager extends X509ExtendedTrustManager {
  private static final X509Certificate[] NONE = new X509Certificate[0];
  private final X509ExtendedTrustManager pkix;
  private final List<String> expected;

  /**
   * @param roots the CAs to verify the chain with; empty: the chain is not verified
   * @param expected the SANs to require one of; empty: any
   */
  SanCheckingTrustManager(List<X509Certificate> roots, List<String> expected) {
    this.pkix = roots.isEmpty() ? null : pkix(roots);
    this.expected = expected;
  }

  private static X509ExtendedTrustManager pkix(List<X509Certificate> roots) {
    try {
      return SpiffeTrustManager.pkix(roots, "ca-");
    } catch (java.security.GeneralSecurityException | java.io.IOException e) {
      throw new IllegalArgumentException("cannot build a trust store: " + e.getMessage(), e);
    }
  }

  private void checkSans(X509Certificate[] chain) throws CertificateException {
    if (expected.isEmpty()) {
      return;
    }
    List<String> sans = sans(chain[0]);
    for (String want : expected) {
      for (String have : sans) {
        if (matches(have, want)) {
          return;
        }
      }
    }
    throw new CertificateException("server certificate SANs " + sans + " match none of subjectAltNames " + expected);
  }

  /** Exact (DNS names ignoring case), or a certificate's {@code *.example.com} covering one label. */
  private static boolean matches(String have, String want) {
    if (have.equalsIgnoreCase(want)) {
      return true;
    }
    if (have.startsWith("*.") && want.indexOf('.') > 0) {
      String rest = want.substring(want.indexOf('.'));
      return rest.equalsIgnoreCase(have.substring(1));
    }
    return false;
  }

  /** The DNS, URI and IP SANs of a certificate. */
  static List<String> sans(X509Certificate cert) throws CertificateParsingException {
    List<String> out = new ArrayList<>();
    Collection<List<?>> all = cert.getSubjectAlternativeNames();
    if (all == null) {
      return out;
    }
    for (List<?> san : all) {
      int type = (Integer) san.get(0);
      if (type == 2 || type == 6 || type == 7) {
        out.add(san.get(1).toString().toLowerCase(Locale.ROOT));
      }
    }
    return out;
  }

  private void checkServer(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the server presented no certificate");
    }
    if (pkix != null) {
      if (engine != null) {
        pkix.checkServerTrusted(chain, authType, engine);
      } else if (socket != null) {
        pkix.checkServerTrusted(chain, authType, socket);
      } else {
        pkix.checkServerTrusted(chain, authType);
      }
    }
    checkSans(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServer(chain, authType, engine, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkServer(chain, authType, null, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServer(chain, authType, null, null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a TLS origination context verifies servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("a TLS origination context verifies servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a TLS origination context verifies servers only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix == null ? NONE : pkix.getAcceptedIssuers();
  }
}
