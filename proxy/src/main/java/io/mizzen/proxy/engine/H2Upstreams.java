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
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP/2 upstream connections of one event loop: h2c with prior knowledge, one connection
 * per endpoint, each exchange on a stream of its own. A stream is a child channel carrying
 * HTTP/1-style objects, as downstream streams do, so an {@link UpstreamLeg} drives it as it
 * drives an HTTP/1.1 connection. A connection that got GOAWAY, closed, or served
 * {@code maxRequestsPerConnection} streams takes no new ones: the next exchange opens another,
 * and the old one closes when its last stream ends. Only its own event loop touches it.
 */
final class H2Upstreams {
  /** The header list size the upstream may send, as the downstream HTTP/1.1 decoder allows. */
  private static final int MAX_HEADER_BYTES = 64 * 1024;

  private final UpstreamPool pool;
  private final EventLoop loop;
  private final ChannelFactory<? extends Channel> channels;
  private final AddressResolverGroup<? extends SocketAddress> resolver;
  /** The connections taking new streams, by endpoint: more than one when the first are full. */
  private final Map<InetSocketAddress, ArrayList<Connection>> open = new HashMap<>();

  H2Upstreams(UpstreamPool pool, EventLoop loop, ChannelFactory<? extends Channel> channels,
      AddressResolverGroup<? extends SocketAddress> resolver) {
    this.pool = pool;
    this.loop = loop;
    this.channels = channels;
    this.resolver = resolver;
  }

  /**
   * A new stream to the endpoint, on its open connection or on one connected for it. The future
   * is already complete when the connection was open; it fails as a connect fails.
   */
  Future<Channel> stream(Endpoint endpoint, ClusterPolicy policy) {
    InetSocketAddress key = endpoint.address();
    ArrayList<Connection> connections = open.get(key);
    if (connections == null) {
      connections = new ArrayList<>(1);
      open.put(key, connections);
    }
    for (int i = 0; i < connections.size(); i++) {
      Connection c = connections.get(i);
      if (c.takesStream()) {
        return c.stream();
      }
    }
    // None, or all at the server's SETTINGS_MAX_CONCURRENT_STREAMS: one more, as Envoy does.
    Connection c = connect(key, policy);
    connections.add(c);
    return c.stream();
  }

  private Connection connect(InetSocketAddress key, ClusterPolicy policy) {
    Connection c = new Connection(key, policy.maxRequestsPerConnection());
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
            c.codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(MAX_HEADER_BYTES))
                .validateHeaders(true)
                // Streams opened before the server's SETTINGS said how many it takes wait for a
                // slot instead of failing; after that, a full connection takes no new stream.
                .encoderEnforceMaxConcurrentStreams(true)
                .build();
            ch.pipeline().addLast(new IdleTimeout(policy.idleTimeout().toMillis()), c.codec,
                new Http2MultiplexHandler(NO_PUSH), c);
          }
        })
        .connect(key);
    c.connecting = connecting;
    connecting.addListener(f -> c.onConnected(connecting));
    return c;
  }

  /** Closes every connection (on shutdown); their streams end with them. */
  void closeAll() {
    List<Connection> all = new ArrayList<>();
    open.values().forEach(all::addAll);
    open.clear();
    for (Connection c : all) {
      if (c.connecting.isSuccess()) {
        c.connecting.channel().close();
      }
    }
  }

  private void forget(Connection c) {
    ArrayList<Connection> connections = open.get(c.key);
    if (connections != null && connections.remove(c) && connections.isEmpty()) {
      open.remove(c.key);
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
    final InetSocketAddress key;
    private final int maxStreams;
    ChannelFuture connecting;
    Http2FrameCodec codec;
    private final ArrayList<Promise<Channel>> waiting = new ArrayList<>(1);
    private int active;
    private int opened;
    /** Active, with the connection preface sent: the codec sends it as the channel becomes active. */
    private boolean ready;
    private boolean draining;

    Connection(InetSocketAddress key, int maxStreams) {
      this.key = key;
      this.maxStreams = maxStreams;
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
      if (ready || (connecting.isDone() && !connecting.isSuccess())) {
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
      // The connect future completes before the pipeline learns the channel is active: a stream
      // opened then would write its headers ahead of the preface.
      ready = true;
      ctx.fireChannelActive();
      openWaiting();
    }

    private void open(Promise<Channel> promise) {
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
                  new UpstreamHandler(pool, key, 0, false, null, true));
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
