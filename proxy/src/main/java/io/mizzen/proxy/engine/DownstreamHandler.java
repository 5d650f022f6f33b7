package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.IstioMetrics;
import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.filter.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The last handler of a client connection: turns each request head into an {@link Exchange},
 * feeds it the body, holds pipelined requests until the exchange before them is done, and
 * pauses reading for as long as any reason to pause holds.
 */
final class DownstreamHandler extends ChannelInboundHandlerAdapter {
  static final int PAUSE_WAITING = 1;
  static final int PAUSE_BACKPRESSURE = 2;
  static final int PAUSE_PIPELINE = 4;
  private static final io.netty.util.AsciiString REQUEST_ID = io.netty.util.AsciiString.cached("x-request-id");

  private final ProxyServer server;
  private final ListenerSpec listener;
  private Channel channel;
  private Exchange exchange;
  private ArrayDeque<Object> pipelined;
  private int pauses;
  private Channel upstreamToFlush;
  /** The client's address as text, worked out once per connection rather than per request. */
  private String sourceIp = "";
  /** A TLS connection's peer principal ({@code ""}: none), once its first exchange has read it. */
  private static final io.netty.util.AttributeKey<String> PEER_PRINCIPAL =
      io.netty.util.AttributeKey.valueOf("mizzen.peerPrincipal");
  /**
   * Set on a gateway connection whose server is ISTIO_MUTUAL: its client certificate chains to
   * the mesh's roots, so its SPIFFE identity is a proven principal. (A MUTUAL server's clients
   * hold certificates of another CA, whose URI SANs name nobody in the mesh.)
   */
  static final io.netty.util.AttributeKey<Boolean> MESH_CLIENT = io.netty.util.AttributeKey.valueOf("mizzen.meshClient");
  /** The inbound's TLS state, read once per connection: a TLS 1.3 session never changes its peer. */
  private boolean tlsLooked;
  private boolean tlsPeer;
  private String tlsPrincipal;

  DownstreamHandler(ProxyServer server, ListenerSpec listener) {
    this.server = server;
    this.listener = listener;
  }

  Channel channel() {
    return channel;
  }

  ProxyServer core() {
    return server;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    if (channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
      sourceIp = remote.getAddress().getHostAddress();
    }
    server.connectionOpened(channel);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exchange != null && exchange.tunnel && msg instanceof ByteBuf bytes) {
      exchange.onTunnelBytes(bytes);
      return;
    }
    if (exchange != null && exchange.requestComplete) {
      // Pipelined: the next request waits until this exchange has answered.
      if (pipelined == null) {
        pipelined = new ArrayDeque<>();
      }
      pipelined.add(msg);
      pause(PAUSE_PIPELINE);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof FullHttpRequest full && !full.content().isReadable() && full.trailingHeaders().isEmpty()
        && full.decoderResult().isSuccess() && full.method() != io.netty.handler.codec.http.HttpMethod.CONNECT) {
      // A request without a body (Http1ServerCodec's, or an HTTP/2 HEADERS frame that ends its
      // stream): whole from the start, and sent upstream as it came, in one write.
      HttpRequest whole = full;
      if (full.content() != io.netty.buffer.Unpooled.EMPTY_BUFFER) {
        whole = Http1ServerCodec.whole(full); // HTTP/2's: its empty buffer is let go here
        full.release();
      }
      startExchange(whole, true);
      return;
    }
    if (msg instanceof FullHttpRequest full) {
      // An HTTP/2 request whose body or trailers came with it: head and end go their separate
      // ways, so the exchange knows its request is whole (retries, upstream reuse) and a request
      // answered locally still has its body released.
      HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      head.setDecoderResult(full.decoderResult());
      LastHttpContent end = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
      dispatch(head);
      dispatch(end);
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (request.decoderResult().isFailure()) {
        reject(request);
        return;
      }
      if (request.method() == io.netty.handler.codec.http.HttpMethod.CONNECT) {
        tunnel(request);
        return;
      }
      startExchange(request, false);
    } else if (msg instanceof HttpContent content) {
      if (exchange != null) {
        exchange.onRequestContent(content);
      } else {
        // The rest of a body whose request was already answered locally.
        content.release();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /** @param whole whether the request has no body: it came whole, with nothing to follow */
  private void startExchange(HttpRequest request, boolean whole) {
    String uri = request.uri();
    if (uri.regionMatches(true, 0, "http://", 0, 7)) {
      // Absolute form, as an HTTP_PROXY client sends it: the authority moves to Host.
      int slash = uri.indexOf('/', 7);
      String authority = slash < 0 ? uri.substring(7) : uri.substring(7, slash);
      request.setUri(slash < 0 ? "/" : uri.substring(slash));
      request.headers().set(HttpHeaderNames.HOST, authority);
    }
    String requestId = request.headers().get(REQUEST_ID);
    if (requestId == null) {
      requestId = newRequestId();
      request.headers().set(REQUEST_ID, requestId);
    }
    String authority = request.headers().get(HttpHeaderNames.HOST, "");
    ExchangeLog log = new ExchangeLog(server, listener.name(), request, requestId, authority,
        io.mizzen.proxy.h2.Http2Streams.isStream(channel));
    String provenPrincipal = null;
    if ("inbound".equals(listener.name())) {
      if (!tlsLooked) {
        tlsLooked = true;
        lookAtTls();
      }
      if (tlsPeer) {
        // The certificate, not the header, says who called: Mixer and the metrics both read this.
        String principal = tlsPrincipal;
        provenPrincipal = principal;
        request.headers().set(IstioMetrics.PEER_HEADER,
            IstioMetrics.withPrincipal(request.headers().get(IstioMetrics.PEER_HEADER), principal));
        log.mutualTls = true;
      }
      log.peer = request.headers().get(IstioMetrics.PEER_HEADER);
    } else {
      // The caller is this workload (or, at a gateway, the gateway): never a client's claim.
      String self = server.metrics().peerHeader();
      if (self == null) {
        request.headers().remove(IstioMetrics.PEER_HEADER);
      } else {
        request.headers().set(IstioMetrics.PEER_HEADER, self);
      }
      if (listener.gatewayPort() >= 0 && Boolean.TRUE.equals(connection().attr(MESH_CLIENT).get())) {
        // A mesh workload's certificate at an ISTIO_MUTUAL gateway server: who called, for
        // the gateway's authorization (source.principal), as an egress gateway's policies read it.
        if (!tlsLooked) {
          tlsLooked = true;
          lookAtTls();
        }
        provenPrincipal = tlsPrincipal;
      }
    }
    // Under capture the port the client dialled is the one the route (outbound) or the target (inbound) is for.
    InetSocketAddress captured = io.mizzen.proxy.capture.CaptureHandler.originalDestination(channel);
    int port = captured != null ? captured.getPort()
        : listener.portFromAuthority() ? authorityPort(authority) : listener.port();
    RequestContext ctx = new RequestContext(request, listener.name(), scheme(), port,
        sourceIp, server.options().sourceLabels(),
        server.gateways());
    ctx.provenPrincipal(provenPrincipal);
    Exchange ex = new Exchange(this, request, ctx, log);
    ex.requestComplete = whole;
    boolean websocket = "websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))
        && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    HopByHop.strip(request.headers());
    if (websocket) {
      // The one hop-by-hop exchange a proxy passes on: the upgrade, answered by the upstream.
      ex.upgrade = true;
      request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      request.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
    log.span = server.tracing().onRequest(ctx, listener.name());
    exchange = ex;
    ex.start(server.table(listener).route(ctx));
  }

  /** {@code https} when a gateway terminated TLS for this connection (an HTTP/2 stream's is its parent's). */
  private String scheme() {
    if (listener.gatewayPort() < 0) {
      return "http";
    }
    return connection().pipeline().get(io.netty.handler.ssl.SslHandler.class) != null ? "https" : "http";
  }

  /**
   * Reads the inbound connection's TLS peer. Parsing the certificate's SAN costs more than the
   * rest of a request: once per connection, kept on the connection for its HTTP/2 streams (each
   * has a handler of its own), whose TLS is their connection's.
   */
  private void lookAtTls() {
    Channel conn = connection();
    io.netty.handler.ssl.SslHandler ssl = conn.pipeline().get(io.netty.handler.ssl.SslHandler.class);
    tlsPeer = ssl != null;
    if (ssl == null) {
      return;
    }
    io.netty.util.Attribute<String> kept = conn.attr(PEER_PRINCIPAL);
    String principal = kept.get();
    if (principal == null) {
      principal = io.mizzen.proxy.tls.MeshTls.peerPrincipal(ssl.engine().getSession()).orElse("");
      kept.set(principal);
    }
    tlsPrincipal = principal.isEmpty() ? null : principal;
  }

  /** The client's connection: the channel, or for an HTTP/2 stream its parent. */
  private Channel connection() {
    return io.mizzen.proxy.h2.Http2Streams.isStream(channel) ? channel.parent() : channel;
  }

  private static int authorityPort(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon < 0 || authority.endsWith("]")) {
      return 80;
    }
    try {
      return Integer.parseInt(authority.substring(colon + 1));
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  private static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new java.util.UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L)
        .toString();
  }

  /**
   * HTTP CONNECT, as an app reaching the sidecar as its HTTPS proxy sends it ({@code CONNECT
   * host:443}): the authority is routed as a request to it would be (the outboundTrafficPolicy,
   * ServiceEntries, a mesh service's endpoints and a VirtualService's weights decide where), then
   * this connection's HTTP handlers give way to a byte relay to that destination, which answers
   * {@code 200 Connection established} once connected. What crosses the tunnel (TLS, mostly) is
   * not looked into: no header rule, retry or fault applies to it. Only the outbound listener over
   * HTTP/1.x takes CONNECT.
   */
  private void tunnel(HttpRequest request) {
    String target = request.uri();
    ReferenceCountUtil.release(request);
    if (!"outbound".equals(listener.name()) || io.mizzen.proxy.h2.Http2Streams.isStream(channel)) {
      refuseLocally(405, "CONNECT is taken on the sidecar's outbound listener over HTTP/1.1 only");
      return;
    }
    int colon = target.lastIndexOf(':');
    int port = -1;
    try {
      port = colon < 0 || target.endsWith("]") ? -1 : Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535 || colon == 0) {
      refuseLocally(400, "CONNECT needs host:port, not '" + (target.length() > 64 ? target.substring(0, 64) + "…" : target) + "'");
      return;
    }
    io.mizzen.proxy.route.RouteResult routed = server.routeAuthority(listener, target, port, sourceIp);
    io.mizzen.proxy.route.Route route = routed.route();
    if (route == null) {
      refuseLocally(routed.status(), routed.detail());
      return;
    }
    if (route.destinations().isEmpty()) {
      refuseLocally(502, "route " + route.name() + " answers locally (redirect or direct response): nothing to tunnel to");
      return;
    }
    io.mizzen.proxy.route.Destination destination = route.choose();
    // The relay first, so the bytes the codec still holds (sent right after the CONNECT head) reach
    // it; it holds them, reading paused, until its upstream is connected.
    channel.pipeline().replace(this, null, server.relays().to(destination, true));
    channel.closeFuture().addListener(f -> server.connectionClosed(channel));
    if (channel.pipeline().get(Http1ServerCodec.class) != null) {
      channel.pipeline().remove(Http1ServerCodec.class);
    }
  }

  /** Answers a request this handler refuses itself and closes the connection. */
  private void refuseLocally(int status, String detail) {
    HttpResponse response = LocalReplies.response(null, status, detail, null);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    server.exchangeStarted();
    server.count(status, 0);
    server.exchangeFinished(new AccessLogEntry(Instant.now(), listener.name(), "-", "-", "-", status, "-",
        0, detail.length(), 0, "-", "-", "-", "-", "-", detail));
  }

  /** A request the codec could not parse: answer and close, since the stream is out of sync. */
  private void reject(HttpRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status = cause instanceof TooLongHttpHeaderException ? 431
        : cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongFrameException ? 413
        : cause instanceof Http1ServerCodec.UnsupportedVersionException ? 505 : 400;
    ReferenceCountUtil.release(request);
    refuseLocally(status, "bad request: " + cause.getMessage());
  }

  void pause(int reason) {
    int before = pauses;
    pauses |= reason;
    if (before == 0 && channel.isActive()) {
      channel.config().setAutoRead(false);
    }
  }

  void resume(int reason) {
    if ((pauses & reason) == 0) {
      return;
    }
    pauses &= ~reason;
    if (pauses == 0 && channel.isActive()) {
      channel.config().setAutoRead(true);
      if (channel instanceof io.netty.handler.codec.http2.Http2StreamChannel) {
        // Reading again wrote the stream's window update to its connection, outside any read of
        // that connection that would flush it; unflushed, a client's upload stalls for good.
        channel.parent().flush();
      }
    }
  }

  /** The exchange wrote request body to its upstream in this read batch. */
  void upstreamNeedsFlush(Channel upstream) {
    upstreamToFlush = upstream;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    flushUpstream();
  }

  private void flushUpstream() {
    Channel up = upstreamToFlush;
    if (up == null) {
      return;
    }
    upstreamToFlush = null;
    if (!up.isWritable()) {
      pause(PAUSE_BACKPRESSURE);
      up.flush();
      if (up.isWritable()) {
        resume(PAUSE_BACKPRESSURE);
      }
    } else {
      up.flush();
    }
  }

  /** The exchange has sent its last response byte (or given up). */
  void exchangeDone(Exchange done, boolean close) {
    if (exchange == done) {
      exchange = null;
    }
    resume(PAUSE_WAITING | PAUSE_BACKPRESSURE);
    if (close || !channel.isActive() || (server.draining() && (pipelined == null || pipelined.isEmpty()))) {
      releasePipelined();
      Backpressure.flushThenClose(channel);
      return;
    }
    while (pipelined != null && !pipelined.isEmpty() && (exchange == null || !exchange.requestComplete)) {
      dispatch(pipelined.poll());
    }
    if (pipelined == null || pipelined.isEmpty()) {
      resume(PAUSE_PIPELINE);
    }
    // Resumed outside the read loop: flush explicitly.
    flushUpstream();
  }

  /** Closes the connection if no exchange is in flight (graceful drain). */
  void closeIfIdle() {
    if (exchange == null && channel != null) {
      channel.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.onClientWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (exchange == null) {
        ctx.close();
      } else {
        exchange.onClientIdle();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange ex = exchange;
    exchange = null;
    if (ex != null) {
      ex.onClientClosed();
    }
    releasePipelined();
    server.connectionClosed(ctx.channel());
  }

  private void releasePipelined() {
    if (pipelined != null) {
      Object o;
      while ((o = pipelined.poll()) != null) {
        ReferenceCountUtil.release(o);
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    server.connectionError(ctx.channel(), cause);
    ctx.close();
  }
}
