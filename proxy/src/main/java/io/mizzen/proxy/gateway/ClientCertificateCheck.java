package io.mizzen.proxy.gateway;

import io.mizzen.spi.config.networking.ServerTlsSettings;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What a MUTUAL Gateway server asks of a client certificate beyond its CA, checked once the
 * handshake is done, as Envoy does; a certificate that fails is answered by closing the
 * connection before any request is read.
 * <ul>
 *   <li>{@code subjectAltNames}: the certificate carries one of them (DNS, URI, IP or e-mail SAN,
 *       compared exactly);
 *   <li>{@code verifyCertificateSpki} (base64 of the SHA-256 of its DER SubjectPublicKeyInfo) and
 *       {@code verifyCertificateHash} (hex SHA-256 of its DER, with or without colons, any case):
 *       when either is given, the certificate matches one pin of either list.
 * </ul>
 */
public final class ClientCertificateCheck extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.gateway");
  private final List<String> sans;
  private final List<byte[]> spki;
  private final List<byte[]> hashes;
  private final String where;

  private ClientCertificateCheck(List<String> sans, List<byte[]> spki, List<byte[]> hashes, String where) {
    this.sans = sans;
    this.spki = spki;
    this.hashes = hashes;
    this.where = where;
  }

  /**
   * The check a server's TLS settings ask for, or null when there is nothing beyond the CA.
   *
   * @param where the server, as {@code Gateway ns/name spec.servers[i]}, for messages
   * @throws IllegalArgumentException naming the field of a pin that is not a SHA-256 in its form
   */
  public static ClientCertificateCheck of(ServerTlsSettings tls, String where) {
    if (tls.mode() != ServerTlsSettings.Mode.MUTUAL) {
      return null;
    }
    List<String> sans = tls.subjectAltNames() == null ? List.of() : List.copyOf(tls.subjectAltNames());
    List<byte[]> spki = new ArrayList<>();
    List<String> spkiPins = tls.verifyCertificateSpki() == null ? List.of() : tls.verifyCertificateSpki();
    for (int i = 0; i < spkiPins.size(); i++) {
      spki.add(sha256(spkiPins.get(i), true, where + ".tls.verifyCertificateSpki[" + i + "]"));
    }
    List<byte[]> hashes = new ArrayList<>();
    List<String> hashPins = tls.verifyCertificateHash() == null ? List.of() : tls.verifyCertificateHash();
    for (int i = 0; i < hashPins.size(); i++) {
      hashes.add(sha256(hashPins.get(i), false, where + ".tls.verifyCertificateHash[" + i + "]"));
    }
    if (sans.isEmpty() && spki.isEmpty() && hashes.isEmpty()) {
      return null;
    }
    return new ClientCertificateCheck(sans, List.copyOf(spki), List.copyOf(hashes), where);
  }

  private static byte[] sha256(String pin, boolean base64, String field) {
    byte[] digest;
    try {
      digest = base64 ? Base64.getDecoder().decode(pin.trim())
          : HexFormat.of().parseHex(pin.trim().replace(":", "").toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      digest = null;
    }
    if (digest == null || digest.length != 32) {
      throw new IllegalArgumentException(field + ": '" + pin + "' is not a SHA-256 "
          + (base64 ? "in base64 (44 characters)" : "in hex (64 digits, colons allowed)"));
    }
    return digest;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      String refused = ssl == null ? "no TLS" : refusal(ssl);
      if (refused != null) {
        LOG.log(System.Logger.Level.DEBUG, () -> "closing " + ctx.channel().remoteAddress() + ": " + refused
            + " (" + where + ".tls)");
        ctx.close();
        return;
      }
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** Why the client's certificate is refused, or null when it passes. */
  private String refusal(SslHandler ssl) {
    X509Certificate leaf;
    try {
      java.security.cert.Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
        return "no client certificate";
      }
      leaf = x;
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return "no client certificate";
    }
    if (!sans.isEmpty() && !hasSan(leaf)) {
      return "its certificate has none of subjectAltNames " + sans;
    }
    if (!spki.isEmpty() || !hashes.isEmpty()) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] key = sha.digest(leaf.getPublicKey().getEncoded());
        byte[] whole = sha.digest(leaf.getEncoded());
        if (spki.stream().noneMatch(p -> MessageDigest.isEqual(p, key))
            && hashes.stream().noneMatch(p -> MessageDigest.isEqual(p, whole))) {
          return "its certificate matches none of verifyCertificateSpki / verifyCertificateHash";
        }
      } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
        return "its certificate cannot be hashed: " + e.getMessage();
      }
    }
    return null;
  }

  private boolean hasSan(X509Certificate leaf) {
    try {
      if (leaf.getSubjectAlternativeNames() == null) {
        return false;
      }
      for (List<?> san : leaf.getSubjectAlternativeNames()) {
        Object value = san.size() > 1 ? san.get(1) : null;
        if (value instanceof String s && sans.contains(s)) {
          return true;
        }
      }
      return false;
    } catch (CertificateParsingException e) {
      return false;
    }
  }
}
