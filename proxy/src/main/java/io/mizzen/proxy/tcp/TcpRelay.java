package io.mizzen.proxy.tcp;

import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.cluster.RequestKeys;
import io.mizzen.proxy.route.Destination;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Relays the bytes of one client connection to one upstream endpoint and back, on the client's
 * event loop. Each side stops reading while the other cannot take more (back-pressure through
 * writability); either side closing closes the other once what was written is flushed. Bytes
 * the client sent before the upstream connected (a TLS ClientHello) are held and sent first.
 */
public final class TcpRelay extends ChannelInboundHandlerAdapter {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tcp");
  private static final byte[] ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n"
      .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final Destination destination;
  private final String why;
  private final ChannelFactory<? extends Channel> channels;
  private final TcpStats stats;
  private final List<Object> pending = new ArrayList<>();
  /** An HTTP CONNECT tunnel: answered 200 once the upstream is connected, else 503 with why. */
  private final boolean connectTunnel;
  private final io.netty.resolver.AddressResolverGroup<? extends java.net.SocketAddress> resolver;
  private Channel upstream;
  private TcpStats.Series series;
  private boolean started;
  /** The TLS a new upstream connection starts with (the mesh's, or originated), or null for plain bytes. */
  private Secure secure;

  /** The client TLS handler for a new upstream connection to an endpoint; null for plain bytes. */
  @FunctionalInterface
  public interface Secure {
    ChannelHandler handler(Endpoint endpoint, Channel upstream);
  }

  private TcpRelay(Destination destination, String why, ChannelFactory<? extends Channel> channels, TcpStats stats) {
    this(destination, why, channels, stats, false, null);
  }

  private TcpRelay(Destination destination, String why, ChannelFactory<? extends Channel> channels, TcpStats stats,
      boolean connectTunnel, io.netty.resolver.AddressResolverGroup<? extends java.net.SocketAddress> resolver) {
    this.destination = destination;
    this.why = why;
    this.channels = channels;
    this.stats = stats;
    this.connectTunnel = connectTunnel;
    this.resolver = resolver;
  }

  /**
   * A relay to {@code destination} put in place of an accepted connection's HTTP handlers: it
   * connects (names resolved by {@code resolver}, off the event loop), then relays bytes both
   * ways, starting with those the connection already sent. With {@code connectTunnel} (an HTTP
   * CONNECT the proxy accepted) it answers {@code 200 Connection established} once connected, and
   * a connection it cannot make is answered 503 naming why; else (a captured connection sniffed as
   * not HTTP) it says nothing of its own and closes.
   */
  public static ChannelHandler to(Destination destination, boolean connectTunnel, ChannelFactory<? extends Channel> channels,
      io.netty.resolver.AddressResolverGroup<? extends java.net.SocketAddress> resolver, TcpStats stats) {
    return to(destination, connectTunnel, channels, resolver, stats, null, null);
  }

  /**
   * As {@link #to(Destination, boolean, ChannelFactory, io.netty.resolver.AddressResolverGroup, TcpStats)},
   * each upstream connection starting with the TLS {@code secure} gives (the mesh's mutual TLS to
   * a sidecar'd destination, or the DestinationRule's origination); {@code unusable} (not null)
   * refuses the connection saying why, as when the origination's files cannot be used.
   */
  public static ChannelHandler to(Destination destination, boolean connectTunnel, ChannelFactory<? extends Channel> channels,
      io.netty.resolver.AddressResolverGroup<? extends java.net.SocketAddress> resolver, TcpStats stats, Secure secure,
      String unusable) {
    TcpRelay relay = new TcpRelay(destination, destination.cluster() == null ? destination.clusterName() + " has no endpoints"
        : unusable, channels, stats, connectTunnel, resolver);
    relay.secure = secure;
    return relay;
  }

  /** Closes the client connection; a CONNECT tunnel's client is told why first (503, flag UF or UH). */
  private void refuse(Channel client, String flag, String reason) {
    if (!connectTunnel || !client.isActive()) {
      client.close();
      return;
    }
    byte[] body = (reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: " + body.length
        + "\r\nx-mizzen-response-flags: " + flag + "\r\nconnection: close\r\n\r\n";
    client.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII), body))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * The relay for a connection to an AUTO_PASSTHROUGH server: the destination its SNI names
   * ({@code outbound_.<port>_.<subset>_.<host>}), relayed by {@code relayTo}. An SNI naming no
   * service port or subset discovery knows, or none, closes the connection, logged at debug with why.
   */
  public static ChannelHandler forSni(java.util.Map<String, Destination> clusters, String sni,
      java.util.function.Function<Destination, ChannelHandler> relayTo, ChannelFactory<? extends Channel> channels,
      TcpStats stats) {
    Destination d = sni == null ? null : clusters.get(sni.toLowerCase(java.util.Locale.ROOT));
    if (d == null) {
      return new TcpRelay(null, sni == null ? "AUTO_PASSTHROUGH: the ClientHello names no server (SNI)"
          : "AUTO_PASSTHROUGH: SNI '" + sni + "' names no cluster (outbound_.<port>_.<subset>_.<host> of a known service)",
          channels, stats);
    }
    return relayTo.apply(d);
  }

  /**
   * The relay for a connection: the first route accepting it picks a destination by weight, and
   * {@code relayTo} relays to it (with the TLS its cluster asks for). Without a route the
   * connection is closed.
   */
  public static ChannelHandler forConnection(List<L4Route> routes, L4Route.Connection connection,
      java.util.function.Function<Destination, ChannelHandler> relayTo, ChannelFactory<? extends Channel> channels,
      TcpStats stats) {
    L4Route route = L4Route.first(routes, connection);
    if (route == null) {
      return new TcpRelay(null, "no tcp/tls route matches port " + connection.port()
          + (connection.sni() == null ? "" : " SNI " + connection.sni()), channels, stats);
    }
    return relayTo.apply(route.choose());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    Channel client = ctx.channel();
    client.config().setAutoRead(false);
    if (why != null) {
      LOG.log(System.Logger.Level.DEBUG, () -> "closing TCP connection from " + client.remoteAddress() + ": " + why);
      refuse(client, "UH", why);
      return;
    }
    Cluster cluster = destination.cluster();
    InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
    Endpoint endpoint = cluster.pick(RequestKeys.sourceOnly(remote == null ? "" : remote.getAddress().getHostAddress()), List.of());
    if (endpoint == null) {
      LOG.log(System.Logger.Level.DEBUG, () -> "closing TCP connection: no healthy endpoint in " + cluster.name());
      refuse(client, "UH", "no healthy endpoint in " + cluster.name());
      return;
    }
    series = stats.of(destination.clusterName());
    if (series.open.incrementAndGet() > cluster.policy().maxConnections()) {
      series.open.decrementAndGet();
      LOG.log(System.Logger.Level.DEBUG, () -> "closing TCP connection: " + cluster.name() + " is at maxConnections "
          + cluster.policy().maxConnections());
      series = null;
      refuse(client, "UO", cluster.name() + " is at maxConnections " + cluster.policy().maxConnections());
      return;
    }
    Bootstrap bootstrap = new Bootstrap();
    if (resolver != null) {
      bootstrap.resolver(resolver);
    }
    bootstrap
        .group(client.eventLoop())
        .channelFactory(channels)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, cluster.policy().connectTimeout().toMillis()))
        .handler(secure == null ? new Upstream(client) : new io.netty.channel.ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ChannelHandler tls = secure.handler(endpoint, ch);
            if (tls != null) {
              ch.pipeline().addLast(tls);
            }
            ch.pipeline().addLast(new Upstream(client));
          }
        })
        .connect(endpoint.address())
        .addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            cluster.recordFailure(endpoint);
            series.open.decrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, () -> "TCP upstream " + endpoint + " failed: " + f.cause());
            refuse(client, "UF", "upstream connect error: " + endpoint.hostPort() + ": " + f.cause().getMessage());
            return;
          }
          Channel up = f.channel();
          TcpStats.Series s = series;
          s.opened.increment();
          up.closeFuture().addListener(c -> {
            s.closed.increment();
            s.open.decrementAndGet();
          });
          if (!client.isActive()) {
            up.close();
            return;
          }
          upstream = up;
          if (connectTunnel) {
            client.writeAndFlush(Unpooled.wrappedBuffer(ESTABLISHED), client.voidPromise());
          }
          for (Object m : pending) {
            s.sent.add(size(m));
            up.write(m);
          }
          pending.clear();
          up.flush();
          client.config().setAutoRead(true);
          up.config().setAutoRead(true);
        });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (connectTunnel && !(msg instanceof ByteBuf)) {
      // The end of the CONNECT request the HTTP decoder fired before it left: no bytes to relay.
      ReferenceCountUtil.release(msg);
      return;
    }
    Channel up = upstream;
    if (up == null) {
      pending.add(msg);
      return;
    }
    series.sent.add(size(msg));
    up.write(msg, up.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Channel up = upstream;
    if (up != null) {
      up.flush();
      if (!up.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel up = upstream;
    if (up != null) {
      up.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pending.forEach(ReferenceCountUtil::release);
    pending.clear();
    Channel up = upstream;
    if (up != null) {
      flushThenClose(up);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, () -> "TCP client " + ctx.channel().remoteAddress() + " failed: " + cause);
    ctx.close();
  }

  private static void flushThenClose(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static long size(Object msg) {
    if (msg instanceof ByteBuf b) {
      return b.readableBytes();
    }
    return msg instanceof ByteBufHolder h ? h.content().readableBytes() : 0;
  }

  /** The upstream side: bytes back to the client, with the same back-pressure. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    private final Channel client;

    Upstream(Channel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      series.received.add(size(msg));
      client.write(msg, client.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
      if (!client.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      client.config().setAutoRead(ctx.channel().isWritable());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      flushThenClose(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.log(System.Logger.Level.DEBUG, () -> "TCP upstream " + ctx.channel().remoteAddress() + " failed: " + cause);
      ctx.close();
    }
  }
}
