package io.mizzen.proxy.engine;

import io.mizzen.proxy.tls.MeshTls;
import io.mizzen.spi.config.security.PeerAuthentication.Mode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The inbound's peer-authentication gate: the first bytes of a connection say whether it is TLS
 * or plain text; the mode in force when they arrive says whether that kind is taken. STRICT
 * closes plain text, DISABLE closes TLS, PERMISSIVE takes both. Plain text goes on to the
 * handlers already after it; for TLS an SslHandler named {@value #TLS_HANDLER} (requiring a client
 * certificate chained to a mesh root, offering ALPN h2 and http/1.1) goes in after it and
 * {@code afterTls} sets up what follows. Removed after that decision; the bytes it held pass on
 * to whatever follows.
 */
final class PermissiveTls extends ByteToMessageDecoder {
  /** The name of the server TLS handler it puts in. */
  static final String TLS_HANDLER = "mesh-tls";
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tls");
  private final MeshTls tls;
  private final Supplier<Mode> mode;
  private final Consumer<ChannelHandlerContext> afterTls;

  /**
   * @param afterTls called with this handler's context once the TLS handler is in: replaces the
   *     plain-text handlers with those for after TLS
   */
  PermissiveTls(MeshTls tls, Supplier<Mode> mode, Consumer<ChannelHandlerContext> afterTls) {
    this.tls = tls;
    this.mode = mode;
    this.afterTls = afterTls;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 3) {
      return;
    }
    boolean isTls = MeshTls.looksLikeTls(in);
    // Read per connection: a new snapshot's mode holds from the next connection on.
    Mode now = mode.get();
    if ((now == Mode.STRICT && !isTls) || (now == Mode.DISABLE && isTls)) {
      LOG.log(System.Logger.Level.DEBUG, () -> "inbound " + now + ": closing a " + (isTls ? "TLS" : "plain-text")
          + " connection from " + ctx.channel().remoteAddress());
      in.skipBytes(in.readableBytes());
      ctx.close();
      return;
    }
    if (isTls) {
      // Asked per connection, so a rotated certificate is presented from the next one on.
      ctx.pipeline().addAfter(ctx.name(), TLS_HANDLER, tls.server().newHandler(ctx.alloc()));
      afterTls.accept(ctx);
    }
    ctx.pipeline().remove(this);
  }
}
