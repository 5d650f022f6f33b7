package io.mizzen.proxy.engine;

import io.mizzen.proxy.tls.MeshTls;
import io.mizzen.spi.config.security.PeerAuthentication.Mode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.Supplier;

/**
 * The inbound's peer-authentication gate: the first bytes of a connection say whether it is TLS
 * (an SslHandler, which requires a client certificate chained to a mesh root, goes in front of
 * the HTTP codec) or plain text; the mode in force when they arrive says whether that kind is
 * taken. STRICT closes plain text, DISABLE closes TLS, PERMISSIVE takes both. Removed after that
 * decision; the bytes it held pass on to whatever follows.
 */
final class PermissiveTls extends ByteToMessageDecoder {
  private static final System.Logger LOG = System.getLogger("io.mizzen.proxy.tls");
  private final MeshTls tls;
  private final Supplier<Mode> mode;

  PermissiveTls(MeshTls tls, Supplier<Mode> mode) {
    this.tls = tls;
    this.mode = mode;
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
      ctx.pipeline().addAfter(ctx.name(), "mesh-tls", tls.server().newHandler(ctx.alloc()));
    }
    ctx.pipeline().remove(this);
  }
}
