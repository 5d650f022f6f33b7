package io.mizzen.kernel.agent;

import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.wire.pilot.CertificateInfo;
import io.mizzen.spi.wire.pilot.RootInfo;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** What a workload's credentials say, as the agent reports them to Pilot: read from the PEM, not the key. */
final class CertificateInfos {
  private CertificateInfos() {}

  /**
   * The leaf of {@code credentials}' chain and its roots.
   *
   * @throws IllegalArgumentException when the chain or a root is not a PEM X.509 certificate
   */
  static CertificateInfo of(WorkloadCredentials credentials) {
    List<X509Certificate> chain = parse(credentials.certificateChainPem());
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the certificate chain holds no certificate");
    }
    X509Certificate leaf = chain.get(0);
    CertificateInfo.Builder info = CertificateInfo.newBuilder().setSerial(leaf.getSerialNumber().toString(16))
        .addAllSubjectAltNames(subjectAltNames(leaf))
        .setNotBeforeUnixMs(leaf.getNotBefore().getTime()).setNotAfterUnixMs(leaf.getNotAfter().getTime())
        .setIssuer(leaf.getIssuerX500Principal().getName());
    for (String pem : credentials.rootsPem()) {
      for (X509Certificate root : parse(pem)) {
        info.addRoots(RootInfo.newBuilder().setSerial(root.getSerialNumber().toString(16))
            .setSubject(root.getSubjectX500Principal().getName())
            .setNotBeforeUnixMs(root.getNotBefore().getTime()).setNotAfterUnixMs(root.getNotAfter().getTime()));
      }
    }
    return info.build();
  }

  /** URIs (the SPIFFE id) first, then DNS names and addresses, as the certificate lists them. */
  private static List<String> subjectAltNames(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    List<String> others = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          // 6: uniformResourceIdentifier; 2: dNSName; 7: iPAddress
          if (name.size() >= 2 && name.get(1) instanceof String value) {
            (Integer.valueOf(6).equals(name.get(0)) ? uris : others).add(value);
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("the leaf's subject alternative names: " + e.getMessage(), e);
    }
    uris.addAll(others);
    return uris;
  }

  private static List<X509Certificate> parse(String pem) {
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a PEM X.509 certificate: " + e.getMessage(), e);
    }
  }
}
