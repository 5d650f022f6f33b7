package io.mizzen.proxy.tls;

import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/** {@link MeshTls} over the agent's {@link WorkloadCertificates}, rebuilt on each renewal. */
final class RotatingMeshTls implements MeshTls {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tls");
  private static final String TLS13 = "TLSv1.3";
  private static final long SESSION_CACHE = 4096;
  private static final long SESSION_SECONDS = 3600;

  /** What one certificate gives: the server context and client contexts made on demand. */
  private record Contexts(PemCredentials pem, SslContext server, Map<ClientKey, SslContext> clients) {}

  /** A client context's identity: the SANs it expects and whether it offers h2 by ALPN. */
  private record ClientKey(Set<String> expected, boolean offerH2) {}

  private final AtomicReference<Contexts> now = new AtomicReference<>();

  RotatingMeshTls(WorkloadCertificates certificates) {
    WorkloadCredentials first = certificates.current();
    if (first == null) {
      throw new IllegalStateException("mTLS: the workload has no certificate yet (citadel-agent off or not started)");
    }
    now.set(build(first));
    certificates.onRenewal(this::rotate);
  }

  private void rotate(WorkloadCredentials next) {
    try {
      now.set(build(next));
      LOG.log(System.Logger.Level.INFO, () -> "mTLS: new connections use certificate " + next.serial() + " until " + next.notAfter());
    } catch (RuntimeException e) {
      // Keep serving with the certificate in force: it is still valid, the agent retries renewal.
      LOG.log(System.Logger.Level.ERROR, "mTLS: renewed certificate " + next + " is unusable, keeping " + serial(), e);
    }
  }

  private static Contexts build(WorkloadCredentials credentials) {
    PemCredentials pem = PemCredentials.of(credentials);
    try {
      SslContext server = SslContextBuilder.forServer(pem.key(), pem.chain())
          .sslProvider(TlsProviders.preferred())
          .protocols(TLS13)
          .clientAuth(ClientAuth.REQUIRE)
          // h2 for peers offering it (sidecars calling an HTTP/2 cluster), HTTP/1.1 for the
          // others and for clients offering nothing (older sidecars, curl --http1.1).
          .applicationProtocolConfig(TlsProviders.h2OrHttp11())
          .trustManager(new SpiffeTrustManager(pem.roots(), Set.of()))
          .sessionCacheSize(SESSION_CACHE)
          .sessionTimeout(SESSION_SECONDS)
          .build();
      return new Contexts(pem, server, new ConcurrentHashMap<>());
    } catch (SSLException e) {
      throw new IllegalStateException("mTLS: cannot build the server context for " + credentials + ": " + e.getMessage(), e);
    }
  }

  private static SslContext client(PemCredentials pem, ClientKey key) {
    Set<String> expected = key.expected();
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .sslProvider(TlsProviders.preferred())
          .protocols(TLS13)
          .keyManager(pem.key(), pem.chain())
          .trustManager(new SpiffeTrustManager(pem.roots(), expected))
          // The SPIFFE SAN is the identity to check; host names mean nothing between sidecars.
          .endpointIdentificationAlgorithm(null)
          .sessionCacheSize(SESSION_CACHE)
          .sessionTimeout(SESSION_SECONDS);
      if (key.offerH2()) {
        // Only for HTTP/2 clusters: the others offer no ALPN, exactly as before.
        b.applicationProtocolConfig(TlsProviders.h2OrHttp11());
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("mTLS: cannot build a client context expecting " + expected + ": " + e.getMessage(), e);
    }
  }

  @Override
  public SslContext server() {
    return now.get().server();
  }

  @Override
  public SslContext client(Set<String> expectedSans, boolean offerH2) {
    Contexts c = now.get();
    ClientKey key = new ClientKey(Set.copyOf(expectedSans), offerH2);
    return c.clients().computeIfAbsent(key, k -> client(c.pem(), k));
  }

  @Override
  public String serial() {
    return now.get().pem().serial();
  }
}
