package io.mizzen.proxy.engine;

import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.route.Destination;
import io.mizzen.proxy.tcp.TcpRelay;
import io.mizzen.proxy.tcp.TcpStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.resolver.AddressResolverGroup;
import java.net.SocketAddress;

/**
 * The proxy's byte relays ({@link TcpRelay}), every one made here: a CONNECT tunnel, a captured
 * connection that is not HTTP (outbound or inbound), a sidecar's and a gateway's {@code tcp:} and
 * {@code tls:} routes. Each connects on the client's loop with the proxy's transport and Vert.x's
 * non-blocking name resolver, and each upstream connection starts with the TLS the destination's
 * cluster asks for (the mesh's under ISTIO_MUTUAL, or the DestinationRule's origination), as an
 * HTTP connection's does.
 */
final class ByteRelays {
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  private final TcpStats stats;
  private final UpstreamSecurity security;

  ByteRelays(ChannelFactory<? extends Channel> channels, AddressResolverGroup<? extends SocketAddress> resolver,
      TcpStats stats, UpstreamSecurity security) {
    this.channels = channels;
    this.resolver = resolver;
    this.stats = stats;
    this.security = security;
  }

  /** A relay to {@code destination} for an accepted connection ({@link TcpRelay#to}). */
  ChannelHandler to(Destination destination, boolean connectTunnel) {
    return to(destination, connectTunnel, true);
  }

  /**
   * As {@link #to(Destination, boolean)}; without {@code clusterTls} the bytes go as they came,
   * whatever TLS the cluster asks for (AUTO_PASSTHROUGH: the client's own mutual TLS reaches the
   * destination's sidecar end to end, as Istio's sni-dnat clusters carry no TLS settings).
   */
  ChannelHandler to(Destination destination, boolean connectTunnel, boolean clusterTls) {
    Cluster cluster = destination.cluster();
    Object kind = cluster == null || !clusterTls ? null : security.kind(cluster.policy());
    TcpRelay.Secure secure = kind == null ? null
        : (endpoint, ch) -> security.handler(kind, endpoint, cluster.policy(), ch, false);
    String unusable = kind == null || cluster.endpoints().isEmpty() ? null
        : UpstreamSecurity.unusable(kind, cluster.endpoints().get(0));
    return TcpRelay.to(destination, connectTunnel, channels, resolver, stats, secure, unusable);
  }
}
