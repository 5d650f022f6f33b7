package io.mizzen.spi.config.networking;

import java.util.List;

/**
 * TLS towards a destination.
 *
 * @param mode the mode
 * @param clientCertificate the client certificate file (MUTUAL)
 * @param privateKey the private key file (MUTUAL)
 * @param caCertificates the CA bundle to verify the server with
 * @param subjectAltNames SANs the server certificate must carry
 * @param sni the SNI to send
 * @param credentialName a secret holding the credentials (later Istio)
 */
public record ClientTlsSettings(
    Mode mode,
    String clientCertificate,
    String privateKey,
    String caCertificates,
    List<String> subjectAltNames,
    String sni,
    String credentialName) {

  /** Istio's client TLS modes. */
  public enum Mode { DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL }
}
