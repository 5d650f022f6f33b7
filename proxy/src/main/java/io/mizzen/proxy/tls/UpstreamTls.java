package io.mizzen.proxy.tls;

import java.util.List;

/**
 * A DestinationRule's {@code tls} section in mode SIMPLE or MUTUAL, resolved for one cluster:
 * the proxy originates TLS to the cluster's endpoints with these settings. A value: two clusters
 * with equal settings share one context ({@link TlsOrigination}).
 *
 * @param source where the settings come from, for messages: {@code DestinationRule ns/name} and
 *     the field path of the {@code tls} section ({@code trafficPolicy.portLevelSettings[0].tls})
 * @param mutual MUTUAL: present {@code clientCertificate} and {@code privateKey}
 * @param caCertificates PEM file of the CAs to verify the server with; {@code null}: not verified,
 *     as in Istio 1.4
 * @param clientCertificate PEM file of the client certificate chain (MUTUAL)
 * @param privateKey PEM file of its private key (MUTUAL)
 * @param subjectAltNames the server certificate must carry one of these (DNS, URI or IP SANs);
 *     empty: any
 * @param sni the server name to send, {@code null} for none
 */
public record UpstreamTls(String source, boolean mutual, String caCertificates, String clientCertificate,
    String privateKey, List<String> subjectAltNames, String sni) {

  public UpstreamTls {
    subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
    caCertificates = blankToNull(caCertificates);
    clientCertificate = blankToNull(clientCertificate);
    privateKey = blankToNull(privateKey);
    sni = blankToNull(sni);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** A short description for logs and 503 reasons: the source and the mode. */
  @Override
  public String toString() {
    return source + " (" + (mutual ? "MUTUAL" : "SIMPLE") + ")";
  }
}
