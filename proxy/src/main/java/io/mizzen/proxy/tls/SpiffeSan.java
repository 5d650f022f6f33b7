package io.mizzen.proxy.tls;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Reading SPIFFE identities out of certificates. */
final class SpiffeSan {
  static final String SCHEME = "spiffe://";
  private static final int URI_SAN = 6;

  private SpiffeSan() {}

  /** Every SPIFFE URI SAN of a certificate. */
  static List<String> uris(X509Certificate cert) throws CertificateParsingException {
    List<String> uris = new ArrayList<>();
    Collection<List<?>> sans = cert.getSubjectAlternativeNames();
    if (sans != null) {
      for (List<?> san : sans) {
        if (((Integer) san.get(0)) == URI_SAN && san.get(1) instanceof String uri && uri.startsWith(SCHEME)) {
          uris.add(uri);
        }
      }
    }
    return uris;
  }

  static Optional<String> principal(SSLSession session) {
    Certificate[] peer;
    try {
      peer = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      // No client certificate (a plaintext-equivalent peer): no principal, not an error.
      return Optional.empty();
    }
    if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
      return Optional.empty();
    }
    try {
      List<String> uris = uris(leaf);
      return uris.isEmpty() ? Optional.empty() : Optional.of(uris.get(0).substring(SCHEME.length()));
    } catch (CertificateParsingException e) {
      // The handshake already verified this certificate; an unreadable SAN names nobody.
      return Optional.empty();
    }
  }
}
