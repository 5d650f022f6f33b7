package io.mizzen.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation the proxy's contexts use: BoringSSL (netty-tcnative, bundled for Linux,
 * macOS and Windows) when it loads, else the JDK's. The JDK provider handshakes and encrypts far
 * more slowly (mTLS on cost 82% of a sidecar pair's throughput with it). The system property
 * {@code mizzen.tls.provider=jdk} forces the JDK's.
 */
public final class TlsProviders {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tls");
  private static final SslProvider PREFERRED = choose();

  private TlsProviders() {}

  /** The provider every context of this process is built with. */
  public static SslProvider preferred() {
    return PREFERRED;
  }

  private static SslProvider choose() {
    if ("jdk".equalsIgnoreCase(System.getProperty("mizzen.tls.provider", ""))) {
      return SslProvider.JDK;
    }
    if (OpenSsl.isAvailable()) {
      return SslProvider.OPENSSL;
    }
    Throwable why = OpenSsl.unavailabilityCause();
    LOG.log(System.Logger.Level.INFO, () -> "TLS: BoringSSL unavailable (" + (why == null ? "unknown" : why.getMessage())
        + "), using the JDK provider");
    return SslProvider.JDK;
  }
}
