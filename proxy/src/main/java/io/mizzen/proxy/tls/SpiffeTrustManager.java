package io.mizzen.proxy.tls;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer whose chain verifies against the mesh roots (PKIX: signatures, validity dates)
 * and whose leaf carries a SPIFFE URI SAN, one of {@code expected} when that is not empty. Host
 * names are not checked: in the mesh, the SPIFFE identity is what a peer proves.
 */
final class SpiffeTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager pkix;
  private final Set<String> expected;

  SpiffeTrustManager(List<X509Certificate> roots, Set<String> expected) {
    this.pkix = pkix(roots);
    this.expected = expected;
  }

  private static X509ExtendedTrustManager pkix(List<X509Certificate> roots) {
    try {
      return pkix(roots, "mesh-root-");
    } catch (java.security.GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("mesh roots: cannot build a trust store: " + e.getMessage(), e);
    }
  }

  /** The JDK's PKIX trust manager over {@code roots} (signatures, validity dates, no host names). */
  static X509ExtendedTrustManager pkix(List<X509Certificate> roots, String aliasPrefix)
      throws java.security.GeneralSecurityException, java.io.IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (int i = 0; i < roots.size(); i++) {
      store.setCertificateEntry(aliasPrefix + i, roots.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JDK's PKIX TrustManagerFactory gave no X509ExtendedTrustManager");
  }

  private void checkIdentity(X509Certificate[] chain) throws CertificateException {
    List<String> uris = SpiffeSan.uris(chain[0]);
    if (uris.isEmpty()) {
      throw new CertificateException("peer certificate " + chain[0].getSubjectX500Principal() + " names no SPIFFE identity");
    }
    if (expected.isEmpty()) {
      return;
    }
    for (String uri : uris) {
      if (expected.contains(uri) || expected.contains(uri.substring(SpiffeSan.SCHEME.length()))) {
        return;
      }
    }
    throw new CertificateException("peer SAN " + uris + " is not one of the expected " + expected);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    pkix.checkClientTrusted(chain, authType, engine);
    checkIdentity(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    pkix.checkServerTrusted(chain, authType, engine);
    checkIdentity(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    pkix.checkClientTrusted(chain, authType, socket);
    checkIdentity(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    pkix.checkServerTrusted(chain, authType, socket);
    checkIdentity(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.checkClientTrusted(chain, authType);
    checkIdentity(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
    checkIdentity(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
