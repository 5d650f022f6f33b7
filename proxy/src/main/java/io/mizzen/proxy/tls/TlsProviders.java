package io.mizzen.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
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

  /**
   * ALPN offering {@code protocols} in order of preference: a server picks from what the client
   * offers (and answers nothing when none matches), a client takes whatever the server picked.
   */
  public static ApplicationProtocolConfig alpn(String... protocols) {
    return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
  }

  /** {@code h2} then {@code http/1.1}: HTTP/2 for peers that speak it, HTTP/1.1 for the others. */
  public static ApplicationProtocolConfig h2OrHttp11() {
    return alpn(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
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
