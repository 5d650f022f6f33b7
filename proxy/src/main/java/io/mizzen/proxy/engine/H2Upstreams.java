package io.mizzen.proxy.engine;

import io.mizzen.proxy.cluster.ClusterPolicy;
import io.mizzen.proxy.cluster.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * The HTTP/2 upstream connections of one event loop: one connection per endpoint and kind (h2c
 * with prior knowledge, the mesh's mutual TLS, or originated TLS), each exchange on a stream of
 * its own. A stream is a child channel carrying HTTP/1-style objects, as downstream streams do,
 * so an {@link UpstreamLeg} drives it as it drives an HTTP/1.1 connection. A connection that got
 * GOAWAY, closed, or served {@code maxRequestsPerConnection} streams takes no new ones: the next
 * exchange opens another, and the old one closes when its last stream ends.
 *
 * <p>Over TLS the client offers ALPN {@code h2} and {@code http/1.1}; exchanges wait for the
 * handshake. When the server picks {@code h2} they get streams; when it picks HTTP/1.1 or answers
 * nothing, the connection becomes an HTTP/1.1 one for the first exchange waiting (pooled
 * afterwards with the HTTP/1.1 connections of its kind, which later exchanges to that endpoint
 * take first while its last handshake said HTTP/1.1), and each other exchange waiting gets an
 * HTTP/1.1 connection of its own. Only its own event loop touches it.
 */
final class H2Upstreams {
  /** The header list size the upstream may send, as the downstream HTTP/1.1 decoder allows. */
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private final UpstreamPool pool;
  private final UpstreamSecurity security;
  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  /**
   * The connections taking new streams, by kind ({@code null} for h2c, else as
   * {@link UpstreamSecurity#kind}) and endpoint: more than one when the first are full.
   */
  private final Map<Object, Map<InetSocketAddress, ArrayList<Connection>>> open = new HashMap<>();
  /** The endpoints, by TLS kind, whose last handshake chose HTTP/1.1: their pooled HTTP/1.1 connections serve first. */
  private final Map<Object, Set<InetSocketAddress>> http1 = new HashMap<>();

  H2Upstreams(UpstreamPool pool, UpstreamSecurity security, EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<? extends SocketAddress> resolver) {
    this.pool = pool;
    this.security = security;
    this.loop = loop;
    this.channels = channels;
    this.resolver = resolver;
  }

  /**
   * A new stream to the endpoint, on its open connection or on one connected for it; over TLS,
   * when the endpoint answered HTTP/1.1, an HTTP/1.1 connection instead (an idle one when
   * {@code mayReuse}). The future is already complete when the connection was open; it fails as
   * a connect or a TLS handshake fails.
   */
  Future<Channel> stream(Endpoint endpoint, ClusterPolicy policy, boolean mayReuse) {
    Object kind = security.kind(policy);
    String unusable = UpstreamSecurity.unusable(kind, endpoint);
    if (unusable != null) {
      return loop.newFailedFuture(new SSLException(unusable));
    }
    InetSocketAddress key = endpoint.address();
    Map<InetSocketAddress, ArrayList<Connection>> ofKind = open.get(kind);
    ArrayList<Connection> connections = ofKind == null ? null : ofKind.get(key);
    if (connections != null) {
      for (int i = 0; i < connections.size(); i++) {
        Connection c = connections.get(i);
        if (c.takesStream()) {
          return c.stream();
        }
      }
    }
    if (mayReuse && answeredHttp1(kind, key)) {
      // An endpoint that chose HTTP/1.1 by ALPN: its idle connections are pooled as HTTP/1.1 ones.
      // (Never for the others: a sidecar's inbound serves every port at one address, and the
      // HTTP/1.1 connections of its HTTP clusters must not carry this cluster's exchanges.)
      Channel idle = pool.poll(endpoint, kind);
      if (idle != null) {
        return loop.newSucceededFuture(idle);
      }
    }
    // None, or all at the server's SETTINGS_MAX_CONCURRENT_STREAMS: one more, as Envoy does.
    Connection c = connect(kind, endpoint, policy);
    open.computeIfAbsent(kind, k -> new HashMap<>()).computeIfAbsent(key, k -> new ArrayList<>(1)).add(c);
    return c.stream();
  }

  /** Whether the endpoint's last TLS handshake of this kind chose HTTP/1.1 (or nothing) by ALPN. */
  private boolean answeredHttp1(Object kind, InetSocketAddress key) {
    Set<InetSocketAddress> endpoints = kind == null ? null : http1.get(kind);
    return endpoints != null && endpoints.contains(key);
  }

  private void noteProtocol(Object kind, InetSocketAddress key, boolean h2) {
    if (h2) {
      Set<InetSocketAddress> endpoints = http1.get(kind);
      if (endpoints != null && endpoints.remove(key) && endpoints.isEmpty()) {
        http1.remove(kind);
      }
    } else {
      http1.computeIfAbsent(kind, k -> new HashSet<>()).add(key);
    }
  }

  private Connection connect(Object kind, Endpoint endpoint, ClusterPolicy policy) {
    Connection c = new Connection(kind, endpoint, policy);
    ChannelFuture connecting = new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .resolver(resolver)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, UpstreamPool.BUFFERS)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, policy.connectTimeout().toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            IdleTimeout idle = IdleTimeout.upstream(policy.idleTimeout().toMillis());
            SslHandler tls = security.handler(kind, endpoint, policy, ch, true);
            if (tls != null) {
              // The HTTP/2 handlers go in once ALPN has said h2 (Connection.negotiated).
              ch.pipeline().addLast(tls, idle, c);
              return;
            }
            c.codec = codec();
            ch.pipeline().addLast(idle, c.codec, new Http2MultiplexHandler(NO_PUSH), c);
          }
        })
        .connect(endpoint.address());
    c.connecting = connecting;
    connecting.addListener(f -> c.onConnected(connecting));
    return c;
  }

  private static Http2FrameCodec codec() {
    return Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(MAX_HEADER_BYTES))
        .validateHeaders(true)
        // Streams opened before the server's SETTINGS said how many it takes wait for a slot
        // instead of failing; after that, a full connection takes no new stream.
        .encoderEnforceMaxConcurrentStreams(true)
        .build();
  }

  /** Closes every connection (on shutdown); their streams end with them. */
  void closeAll() {
    List<Connection> all = new ArrayList<>();
    open.values().forEach(ofKind -> ofKind.values().forEach(all::addAll));
    open.clear();
    http1.clear();
    for (Connection c : all) {
      if (c.connecting.isSuccess()) {
        c.connecting.channel().close();
      }
    }
  }

  private void forget(Connection c) {
    Map<InetSocketAddress, ArrayList<Connection>> ofKind = open.get(c.kind);
    ArrayList<Connection> connections = ofKind == null ? null : ofKind.get(c.key);
    if (connections != null && connections.remove(c) && connections.isEmpty()) {
      ofKind.remove(c.key);
      if (ofKind.isEmpty()) {
        open.remove(c.kind);
      }
    }
  }

  /** Server push is refused in the settings; a pushed stream would be closed at once. */
  private static final ChannelHandler NO_PUSH = new ChannelInitializer<Channel>() {
    @Override
    protected void initChannel(Channel ch) {
      ch.close();
    }
  };

  /** One HTTP/2 connection: its streams in flight and whether it takes more. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    final Object kind;
    final InetSocketAddress key;
    private final Endpoint endpoint;
    private final ClusterPolicy policy;
    private final int maxStreams;
    ChannelFuture connecting;
    /** The frame codec; over TLS, {@code null} until ALPN chose h2. */
    Http2FrameCodec codec;
    private final ArrayList<Promise<Channel>> waiting = new ArrayList<>(1);
    private int active;
    private int opened;
    /** Active, with the connection preface sent: the codec sends it as it joins an active channel. */
    private boolean ready;
    private boolean draining;
    /** Why no stream will open here (a failed TLS handshake), or {@code null}. */
    private Throwable failure;

    Connection(Object kind, Endpoint endpoint, ClusterPolicy policy) {
      this.kind = kind;
      this.key = endpoint.address();
      this.endpoint = endpoint;
      this.policy = policy;
      this.maxStreams = policy.maxRequestsPerConnection();
    }

    /** Whether a new stream may go on this connection: open (or opening), not retired, not full. */
    boolean takesStream() {
      if (draining || (connecting.isDone() && !connecting.channel().isActive())) {
        return false;
      }
      return codec == null || active + waiting.size() < codec.connection().local().maxActiveStreams();
    }

    Future<Channel> stream() {
      Promise<Channel> promise = loop.newPromise();
      opened++;
      if (maxStreams > 0 && opened >= maxStreams) {
        // The last stream this connection may carry: the next exchange opens a new one.
        draining = true;
        forget(this);
      }
      if (ready || failure != null || (connecting.isDone() && !connecting.isSuccess())) {
        open(promise);
      } else {
        waiting.add(promise);
      }
      return promise;
    }

    /** A failed connect fails the waiting streams; a successful one opens them in {@link #channelActive}. */
    void onConnected(ChannelFuture f) {
      if (!f.isSuccess()) {
        forget(this);
        openWaiting();
      }
    }

    private void openWaiting() {
      for (Promise<Channel> p : waiting) {
        open(p);
      }
      waiting.clear();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.fireChannelActive();
      if (codec != null) {
        // The connect future completes before the pipeline learns the channel is active: a stream
        // opened then would write its headers ahead of the preface.
        ready = true;
        openWaiting();
      }
    }

    /** The TLS handshake's end: HTTP/2 streams when ALPN chose h2, else HTTP/1.1 on this connection. */
    private void negotiated(ChannelHandlerContext ctx, SslHandshakeCompletionEvent done) {
      if (!done.isSuccess()) {
        failure = new SSLException(security.handshakeFailed(kind, endpoint, policy, done.cause()), done.cause());
        draining = true;
        forget(this);
        openWaiting();
        ctx.close();
        return;
      }
      security.handshakeSucceeded(kind, endpoint);
      String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
      boolean h2 = ApplicationProtocolNames.HTTP_2.equals(protocol);
      noteProtocol(kind, key, h2);
      if (h2) {
        codec = codec();
        // Joining an active channel, the codec writes the preface and SETTINGS at once.
        ctx.pipeline().addBefore(ctx.name(), null, codec);
        ctx.pipeline().addBefore(ctx.name(), null, new Http2MultiplexHandler(NO_PUSH));
        ready = true;
        openWaiting();
        ctx.flush();
        return;
      }
      fallBackToHttp1(ctx);
    }

    /**
     * The server chose HTTP/1.1 (or nothing): this connection serves the first exchange waiting
     * as an HTTP/1.1 one, then the pool's; every other exchange waiting gets a connection of its own.
     */
    private void fallBackToHttp1(ChannelHandlerContext ctx) {
      draining = true;
      forget(this);
      Channel ch = ctx.channel();
      UpstreamHandler handler = new UpstreamHandler(pool, key, maxStreams, kind, false);
      ctx.pipeline().addBefore(ctx.name(), null, UpstreamPool.http1Codec());
      ctx.pipeline().replace(this, null, handler);
      List<Promise<Channel>> exchanges = new ArrayList<>(waiting);
      waiting.clear();
      if (exchanges.isEmpty()) {
        pool.release(ch, handler);
        return;
      }
      exchanges.get(0).trySuccess(ch);
      for (int i = 1; i < exchanges.size(); i++) {
        Promise<Channel> p = exchanges.get(i);
        ChannelFuture other = pool.connect(endpoint, policy);
        other.addListener(f -> {
          if (f.isSuccess()) {
            p.trySuccess(other.channel());
          } else {
            p.tryFailure(f.cause());
          }
        });
      }
    }

    private void open(Promise<Channel> promise) {
      if (failure != null) {
        promise.tryFailure(failure);
        return;
      }
      if (!connecting.isSuccess()) {
        promise.tryFailure(connecting.cause());
        return;
      }
      Channel parent = connecting.channel();
      if (!parent.isActive()) {
        promise.tryFailure(new java.nio.channels.ClosedChannelException());
        return;
      }
      active++;
      new Http2StreamChannelBootstrap(parent)
          .handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
              ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false), new H2ResponseShape(),
                  new UpstreamHandler(pool, key, 0, null, true));
            }
          })
          .open()
          .addListener(f -> {
            if (f.isSuccess()) {
              Channel stream = (Channel) f.getNow();
              stream.closeFuture().addListener(closed -> onStreamClosed());
              promise.trySuccess(stream);
            } else {
              onStreamClosed();
              promise.tryFailure(f.cause());
            }
          });
    }

    private void onStreamClosed() {
      active--;
      if (draining && active == 0 && connecting.isSuccess()) {
        connecting.channel().close();
      }
    }

    /** Connection-level frames (settings, ping, GOAWAY) end here; the codec has acted on them. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2GoAwayFrame) {
        // Streams above its last id are closed by the multiplexer; the others may still finish.
        draining = true;
        forget(this);
        if (active == 0) {
          ctx.close();
        }
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent done && codec == null) {
        negotiated(ctx, done);
        return;
      }
      if (evt instanceof IdleStateEvent && active == 0) {
        ctx.close();
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      draining = true;
      forget(this);
      openWaiting();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A connection error: its streams learn of it as they close.
      ctx.close();
    }
  }
}
