package io.mizzen.proxy.tls;

import io.mizzen.spi.ca.WorkloadCertificates;
import io.netty.buffer.ByteBuf;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSession;

/**
 * The workload's mutual-TLS contexts, following certificate rotations.
 *
 * <p>Call {@link #server()} / {@link #client} for each new connection: after a rotation they
 * answer contexts built from the new certificate, while connections already open keep the engine
 * they were made with, so a rotation drops nothing. Both contexts speak TLS 1.3 only, trust every
 * root in {@code rootsPem} (two during a root rotation), and cache sessions for resumption.
 *
 * <pre>{@code
 * MeshTls tls = MeshTls.create(ctx.lookup(WorkloadCertificates.class));   // once, after the agent
 * // inbound listener, per accepted channel:
 * SslHandler in = tls.server().newHandler(ch.alloc());
 * in.handshakeFuture().addListener(f -> principal = MeshTls.peerPrincipal(in.engine().getSession()));
 * // outbound to an ISTIO_MUTUAL cluster, per new connection:
 * SslHandler out = tls.client(Set.copyOf(subjectAltNames)).newHandler(ch.alloc(), host, port);
 * }</pre>
 */
public interface MeshTls {

  /**
   * Contexts over the agent's certificates, rebuilt on each renewal.
   *
   * @throws IllegalStateException when no certificate is there yet, or the current one cannot be
   *     read (the message names which part: key, chain or roots)
   */
  static MeshTls create(WorkloadCertificates certificates) {
    return new RotatingMeshTls(certificates);
  }

  /**
   * The inbound context now: presents the workload certificate and requires a client certificate
   * chaining to a mesh root (an expired or foreign one fails the handshake). Which peers may then
   * call is authorization's business, through {@link #peerPrincipal}.
   */
  SslContext server();

  /**
   * The outbound context now for peers that must prove one of {@code expectedSans}: SPIFFE URIs
   * ({@code spiffe://cluster.local/ns/default/sa/reviews}, a DestinationRule's subjectAltNames) or
   * principals ({@code cluster.local/ns/default/sa/reviews}). Empty: any mesh identity. Create the
   * handler with {@code newHandler(alloc, host, port)} so sessions resume per peer. It offers no
   * ALPN: the connection speaks HTTP/1.1.
   */
  default SslContext client(Set<String> expectedSans) {
    return client(expectedSans, false);
  }

  /**
   * As {@link #client(Set)}; with {@code offerH2} the context offers ALPN {@code h2} and
   * {@code http/1.1} (for HTTP/2 clusters), and the handshake's answer says which to speak.
   */
  SslContext client(Set<String> expectedSans, boolean offerH2);

  /** The serial of the certificate the contexts present now, hex (for proxy-config secret). */
  String serial();

  /**
   * The peer's identity as Istio's {@code source.principal} ({@code cluster.local/ns/default/sa/x}),
   * from the SPIFFE URI SAN of its certificate; empty when the session has no peer certificate or
   * the certificate names no SPIFFE identity.
   */
  static Optional<String> peerPrincipal(SSLSession session) {
    return SpiffeSan.principal(session);
  }

  /**
   * Whether the first bytes of a connection are a TLS handshake record (for PERMISSIVE mode, which
   * accepts TLS and plaintext on one port). Needs at least 3 readable bytes; does not consume them.
   */
  static boolean looksLikeTls(ByteBuf firstBytes) {
    int i = firstBytes.readerIndex();
    return firstBytes.readableBytes() >= 3 && firstBytes.getUnsignedByte(i) == 0x16
        && firstBytes.getUnsignedByte(i + 1) == 0x03 && firstBytes.getUnsignedByte(i + 2) <= 0x04;
  }
}
