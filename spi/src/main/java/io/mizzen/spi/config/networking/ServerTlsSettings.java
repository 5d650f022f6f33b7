package io.mizzen.spi.config.networking;

import java.util.List;

/**
 * TLS of a Gateway server.
 *
 * @param httpsRedirect answer plain HTTP with a 301 to HTTPS
 * @param mode the mode
 * @param serverCertificate the certificate file
 * @param privateKey the key file
 * @param caCertificates the CA bundle to verify clients with (MUTUAL)
 * @param credentialName a secret holding the credentials
 * @param subjectAltNames SANs client certificates must carry
 * @param verifyCertificateSpki SPKI pins of client certificates
 * @param verifyCertificateHash hash pins of client certificates
 * @param minProtocolVersion the lowest TLS version
 * @param maxProtocolVersion the highest TLS version
 * @param cipherSuites allowed cipher suites
 */
public record ServerTlsSettings(
    Boolean httpsRedirect,
    Mode mode,
    String serverCertificate,
    String privateKey,
    String caCertificates,
    String credentialName,
    List<String> subjectAltNames,
    List<String> verifyCertificateSpki,
    List<String> verifyCertificateHash,
    ProtocolVersion minProtocolVersion,
    ProtocolVersion maxProtocolVersion,
    List<String> cipherSuites) {

  /** Istio's server TLS modes. */
  public enum Mode { PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL }

  /** TLS protocol versions. */
  public enum ProtocolVersion { TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3 }
}
