package io.mizzen.proxy.engine;

import io.mizzen.proxy.ProxyOptions;
import io.netty.channel.Channel;
import java.util.List;

/**
 * The handlers of a new client connection once its protocol is known: HTTP/1.1, h2c with prior
 * knowledge (told apart by the first bytes), or what ALPN chose after TLS (a gateway's, or the
 * mesh mTLS of a sidecar's inbound). Every protocol ends in the same {@link DownstreamHandler}
 * (one per HTTP/2 stream).
 */
final class ListenerPipelines {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tls");
  private final ProxyServer server;
  private final ProxyOptions options;

  ListenerPipelines(ProxyServer server, ProxyOptions options) {
    this.server = server;
    this.options = options;
  }

  /**
   * The HTTP handlers of a plain-text listener, at the end of a new connection's pipeline: the
   * first bytes say HTTP/1.1 or h2c with prior knowledge, and that protocol's handlers follow.
   */
  void http(Channel ch, ListenerSpec spec) {
    if (spec.portFromAuthority() && options.originalDestination() != null) {
      // A captured outbound connection may carry anything: its first bytes say whether it is HTTP.
      ch.pipeline().addLast(idle(), new CapturedProtocols(server, spec), preface(spec));
      return;
    }
    if (capturedInbound(spec)) {
      // A captured inbound connection may be to a TCP port of the app: its port or bytes say.
      ch.pipeline().addLast(idle(), new InboundProtocols(server, null), preface(spec));
      return;
    }
    ch.pipeline().addLast(idle(), preface(spec));
  }

  /** Whether {@code spec} is the sidecar inbound under transparent capture. */
  private boolean capturedInbound(ListenerSpec spec) {
    return "inbound".equals(spec.name()) && options.originalDestination() != null;
  }

  /**
   * A sidecar's inbound with mesh certificates: {@link PermissiveTls} in front of the plain-text
   * handlers; a TLS connection has those replaced by ALPN's choice after the mesh TLS handler
   * (h2, or HTTP/1.1 for clients offering http/1.1 or nothing).
   */
  void meshInbound(Channel ch, ListenerSpec spec, io.mizzen.proxy.tls.MeshTls tls,
      java.util.function.Supplier<io.mizzen.spi.config.security.PeerAuthentication.Mode> mode) {
    IdleTimeout idle = idle();
    io.mizzen.proxy.h2.H2cPreface preface = preface(spec);
    // Under capture a connection may be to a TCP port of the app, in plain text or over the mesh's TLS.
    InboundProtocols protocols = capturedInbound(spec) ? new InboundProtocols(server, mode) : null;
    ch.pipeline().addLast(new PermissiveTls(tls, mode, ctx -> {
      // Until the handshake ends, SslHandler's own timeout bounds a silent peer.
      ctx.pipeline().remove(idle);
      if (protocols != null && ctx.pipeline().context(protocols) != null) {
        ctx.pipeline().remove(protocols);
      }
      ctx.pipeline().remove(preface);
      httpAfterTls(ctx.channel(), PermissiveTls.TLS_HANDLER, spec);
      if (protocols != null) {
        // A sidecar relaying TCP sends it over the mesh's TLS: the decrypted bytes may be for a TCP port.
        io.netty.channel.ChannelPipeline p = ctx.pipeline();
        p.addAfter(PermissiveTls.TLS_HANDLER, null, new InboundProtocols(server,
            (io.netty.handler.ssl.SslHandler) p.get(PermissiveTls.TLS_HANDLER), this::idle));
      }
    }), idle);
    if (protocols != null) {
      ch.pipeline().addLast(protocols);
    }
    ch.pipeline().addLast(preface);
  }

  /** Tells h2c with prior knowledge from HTTP/1.1 by the first bytes and puts that protocol's handlers in. */
  private io.mizzen.proxy.h2.H2cPreface preface(ListenerSpec spec) {
    return new io.mizzen.proxy.h2.H2cPreface(ctx -> {
      Http1ServerCodec codec = new Http1ServerCodec(options.maxHeaderBytes());
      DownstreamHandler exchanges = new DownstreamHandler(server, spec);
      io.mizzen.proxy.h2.H2cUpgrade upgrade = new io.mizzen.proxy.h2.H2cUpgrade(upgraded -> {
        upgraded.pipeline().remove(codec);
        upgraded.pipeline().remove(exchanges);
      }, options.maxHeaderBytes(), 64 * 1024, () -> new DownstreamHandler(server, spec));
      addAfter(ctx, List.of(codec, upgrade, exchanges));
      // Those handlers came after the connection opened: they learn of it now.
      ctx.fireChannelActive();
    }, ctx -> addAfter(ctx, h2(spec)));
  }

  /** The HTTP handlers right after the TLS handler named {@code name}: h2 or HTTP/1.1 as ALPN chose. */
  void httpAfterTls(Channel ch, String name, ListenerSpec spec) {
    ch.pipeline().addAfter(name, null, new io.netty.handler.ssl.ApplicationProtocolNegotiationHandler(
        io.netty.handler.ssl.ApplicationProtocolNames.HTTP_1_1) {
      @Override
      protected void configurePipeline(io.netty.channel.ChannelHandlerContext ctx, String protocol) {
        if (io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2.equals(protocol)) {
          addAfter(ctx, h2(spec));
        } else {
          addAfter(ctx, List.of(idle(), new Http1ServerCodec(options.maxHeaderBytes()), new DownstreamHandler(server, spec)));
          ctx.fireChannelActive();
        }
      }

      @Override
      protected void handshakeFailure(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
        // A peer with a foreign or expired certificate, a scanner: one line per connection at most.
        LOG.log(System.Logger.Level.DEBUG, () -> "TLS handshake with " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
      }
    });
  }

  private List<io.netty.channel.ChannelHandler> h2(ListenerSpec spec) {
    return io.mizzen.proxy.h2.Http2Streams.handlers(options.maxHeaderBytes(), options.idleTimeout().toMillis(),
        () -> new DownstreamHandler(server, spec));
  }

  private IdleTimeout idle() {
    return new IdleTimeout(options.idleTimeout().toMillis());
  }

  /** Adds handlers after ctx's, in order (each sees the ones before it when it is added). */
  static void addAfter(io.netty.channel.ChannelHandlerContext ctx, List<io.netty.channel.ChannelHandler> handlers) {
    String previous = ctx.name();
    for (io.netty.channel.ChannelHandler h : handlers) {
      ctx.pipeline().addAfter(previous, null, h);
      previous = ctx.pipeline().context(h).name();
    }
  }
}
