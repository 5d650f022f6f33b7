package io.mizzen.proxy.engine;

import io.mizzen.proxy.capture.CaptureHandler;
import io.mizzen.proxy.cluster.Cluster;
import io.mizzen.proxy.cluster.Endpoint;
import io.mizzen.proxy.route.Destination;
import io.mizzen.proxy.route.HeaderOps;
import io.mizzen.spi.config.security.PeerAuthentication.Mode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The protocol of a connection on the sidecar inbound under transparent capture, as Istio 1.4's
 * inbound listeners pick it: by this workload's service port the client dialled (its protocol, or
 * its name's prefix, {@code PortProtocol}). An HTTP port goes on to the HTTP handlers after this
 * one; a port of another protocol ({@code tcp}, {@code tls}, {@code https}, {@code mongo},
 * {@code mysql}, {@code redis}) becomes a byte relay to the app on that port as soon as bytes
 * come, or after {@link DetectionTimer#MILLIS} of silence, so a protocol whose server
 * speaks first (MySQL) works; a port whose protocol nothing declares is told
 * by its first bytes, as the outbound does ({@link CapturedProtocols#firstBytes}): an HTTP request
 * line goes to HTTP, other bytes, or none within {@link DetectionTimer#MILLIS}, to
 * the relay. A connection without an original destination (the client dialled the inbound
 * itself, or the table did not know it) is HTTP, as before. A relay is held to the
 * AuthorizationPolicies selecting the workload as Istio holds TCP to them
 * ({@code AuthorizationEngine.decideConnection}); refused, the connection is closed.
 *
 * <p>After the mesh's TLS (a sidecar relaying TCP to this one) the decrypted bytes decide the
 * same way, silence counting from the handshake's end, and the peer's certificate names the
 * principal the AuthorizationPolicies see. Behind {@link PermissiveTls} this sees plain text, and
 * it never relays before PermissiveTls has decided: once bytes came, PermissiveTls has let them
 * through as plain text; on silence it relays only in a mode that takes plain text (PERMISSIVE,
 * DISABLE), taking PermissiveTls out first (Istio's {@code continue_on_listener_filters_timeout}),
 * so under STRICT a plain-text client gets nothing from the app before it would be refused.
 */
final class InboundProtocols extends ByteToMessageDecoder {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.capture");
  private final ProxyServer server;
  /** The mode of the PermissiveTls in front, or null when there is none. */
  private final Supplier<Mode> mesh;
  /** The mesh's TLS in front (this then sees what it decrypted), or null for plain text. */
  private final SslHandler tls;
  /** What a relay gets in front of it after TLS (the plain-text pipeline keeps its own). */
  private final Supplier<ChannelHandler> idle;
  private final DetectionTimer timer = new DetectionTimer();

  /** On plain text: behind {@code mesh}'s PermissiveTls, or (null) alone. */
  InboundProtocols(ProxyServer server, Supplier<Mode> mesh) {
    this(server, mesh, null, null);
  }

  /**
   * After the mesh's TLS {@code tls} (a peer's mutual TLS, as a sidecar relaying TCP sends it):
   * the decrypted bytes decide, silence counts from the handshake's end, and the peer's principal
   * is what the AuthorizationPolicies see.
   */
  InboundProtocols(ProxyServer server, SslHandler tls, Supplier<ChannelHandler> idle) {
    this(server, null, tls, idle);
  }

  private InboundProtocols(ProxyServer server, Supplier<Mode> mesh, SslHandler tls, Supplier<ChannelHandler> idle) {
    this.server = server;
    this.mesh = mesh;
    this.tls = tls;
    this.idle = idle;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (tls == null) {
      arm(ctx);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (tls != null && evt instanceof SslHandshakeCompletionEvent done && done.isSuccess() && !ctx.isRemoved()) {
      arm(ctx);
    }
    super.userEventTriggered(ctx, evt);
  }

  /** Silence from now on (the original destination known): a declared TCP port, or a server that speaks first. */
  private void arm(ChannelHandlerContext ctx) {
    timer.arm(ctx, () -> {
      InetSocketAddress original = CaptureHandler.originalDestination(ctx.channel());
      if (original == null || "http".equals(server.localProtocol(original.getPort()))) {
        return; // HTTP: its first bytes decide, as without capture
      }
      PermissiveTls gate = ctx.pipeline().get(PermissiveTls.class);
      if (gate != null) {
        if (mesh.get() == Mode.STRICT) {
          return; // STRICT waits for TLS
        }
        ctx.pipeline().remove(gate); // PERMISSIVE and DISABLE take plain text
      }
      relay(ctx, original);
    });
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    InetSocketAddress original = CaptureHandler.originalDestination(ctx.channel());
    String protocol = original == null ? "http" : server.localProtocol(original.getPort());
    if ("http".equals(protocol)) {
      http(ctx);
    } else if ("tcp".equals(protocol)) {
      relay(ctx, original);
    } else {
      switch (CapturedProtocols.firstBytes(in)) {
        case HTTP -> http(ctx);
        case OTHER -> relay(ctx, original);
        default -> {
          // An upper-case start, no space yet; more bytes (or the timer) decide.
        }
      }
    }
  }

  /** HTTP: the handlers after this one take the connection (removing a decoder hands on its bytes). */
  private void http(ChannelHandlerContext ctx) {
    cancel();
    ctx.pipeline().remove(this);
  }

  /** A byte relay to the app on the port the client dialled, in place of this handler and the HTTP ones after it. */
  private void relay(ChannelHandlerContext ctx, InetSocketAddress original) {
    cancel();
    // Plain text has no peer principal, so no namespace either.
    String principal = tls == null ? "" : io.mizzen.proxy.tls.MeshTls.peerPrincipal(tls.engine().getSession()).orElse("");
    String sourceIp = ctx.channel().remoteAddress() instanceof InetSocketAddress r ? r.getAddress().getHostAddress() : "";
    String refused = server.refusesInboundConnection(new io.mizzen.proxy.authz.RequestView(principal,
        io.mizzen.proxy.authz.RequestView.namespaceOf(principal), sourceIp, "", original.getPort(), "", "", Map.of(), null));
    if (refused != null) {
      LOG.log(System.Logger.Level.DEBUG, () -> "closing inbound connection from " + ctx.channel().remoteAddress()
          + " to port " + original.getPort() + ": " + refused);
      ctx.close();
      return;
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "inbound connection from " + ctx.channel().remoteAddress() + " to port "
        + original.getPort() + ": relayed as bytes to the app");
    Cluster app = Cluster.passthrough(Endpoint.of("127.0.0.1", original.getPort(), Map.of()));
    Destination destination = new Destination(app, "inbound|" + original.getPort() + "||", 100, HeaderOps.NONE, HeaderOps.NONE);
    CapturedProtocols.install(server, ctx, destination, idle == null ? null : idle.get());
  }

  private void cancel() {
    timer.cancel();
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    cancel();
  }
}
