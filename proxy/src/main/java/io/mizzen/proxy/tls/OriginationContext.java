package io.mizzen.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * The files of one {@link UpstreamTls} read from disk, and the client context built from them.
 * Reads files: runs off the event loop, once per snapshot; the context is built only when the
 * fingerprint (settings plus file contents) is new.
 */
final class OriginationContext {
  private final UpstreamTls tls;
  private final byte[] ca;
  private final byte[] certificate;
  private final byte[] key;
  private final String fingerprint;

  /**
   * Reads the files the settings name.
   *
   * @throws IllegalArgumentException naming the source, the field and the file that is missing or
   *     unreadable (or an {@code sni} that is no host name)
   */
  OriginationContext(UpstreamTls tls) {
    this.tls = tls;
    if (tls.sni() != null) {
      try {
        new javax.net.ssl.SNIHostName(tls.sni());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(tls.source() + ".sni: '" + tls.sni() + "' is not a host name: " + e.getMessage(), e);
      }
    }
    this.ca = tls.caCertificates() == null ? null : read(tls.caCertificates(), "caCertificates");
    if (tls.mutual()) {
      this.certificate = read(required(tls.clientCertificate(), "clientCertificate"), "clientCertificate");
      this.key = read(required(tls.privateKey(), "privateKey"), "privateKey");
    } else {
      this.certificate = null;
      this.key = null;
    }
    this.fingerprint = digest();
  }

  /** Changes when a file's contents do. */
  String fingerprint() {
    return fingerprint;
  }

  /**
   * Builds a client context: ALPN {@code http/1.1} (or, with {@code offerH2}, {@code h2} then
   * {@code http/1.1}), the server checked by {@link SanCheckingTrustManager}, the client
   * certificate presented for MUTUAL.
   *
   * @throws IllegalArgumentException naming the source, field and file that holds no usable PEM
   */
  SslContext build(boolean offerH2) {
    List<X509Certificate> roots = ca == null ? List.of() : certificates(ca, "caCertificates", tls.caCertificates());
    SslContextBuilder b = SslContextBuilder.forClient()
        .sslProvider(TlsProviders.preferred())
        .applicationProtocolConfig(offerH2 ? TlsProviders.h2OrHttp11() : TlsProviders.alpn(ApplicationProtocolNames.HTTP_1_1))
        // Envoy checks the SANs the rule names, never the host name against the SNI; Netty 4.2
        // would check it (HTTPS endpoint identification) by default.
        .endpointIdentificationAlgorithm(null)
        .trustManager(new SanCheckingTrustManager(roots, tls.subjectAltNames()));
    if (tls.mutual()) {
      List<X509Certificate> chain = certificates(certificate, "clientCertificate", tls.clientCertificate());
      PrivateKey privateKey = privateKey();
      if (!chain.isEmpty() && !Pem.matches(privateKey, chain.get(0))) {
        throw new IllegalArgumentException(tls.source() + ".privateKey: '" + tls.privateKey()
            + "' is not the key of the certificate in '" + tls.clientCertificate() + "' (every handshake would fail)");
      }
      b.keyManager(privateKey, chain.toArray(new X509Certificate[0]));
    }
    try {
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(tls.source() + ": cannot build a TLS client context"
          + (tls.mutual() ? " from clientCertificate '" + tls.clientCertificate() + "' and privateKey '"
              + tls.privateKey() + "'" : "") + ": " + e.getMessage(), e);
    }
  }

  private String required(String path, String field) {
    if (path == null) {
      throw new IllegalArgumentException(tls.source() + "." + field + ": required in mode MUTUAL");
    }
    return path;
  }

  private byte[] read(String path, String field) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(tls.source() + "." + field + ": cannot read '" + path + "': " + e, e);
    }
  }

  private List<X509Certificate> certificates(byte[] pem, String field, String path) {
    return PemCredentials.x509(pem,
        (what, cause) -> new IllegalArgumentException(tls.source() + "." + field + ": '" + path + "' " + what, cause));
  }

  private PrivateKey privateKey() {
    return Pem.privateKey(new String(key, StandardCharsets.US_ASCII),
        (what, cause) -> new IllegalArgumentException(tls.source() + ".privateKey: '" + tls.privateKey() + "' " + what, cause));
  }

  private String digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (byte[] b : new byte[][] {ca, certificate, key}) {
        sha.update(b == null ? new byte[] {0} : b);
        sha.update((byte) 1);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
