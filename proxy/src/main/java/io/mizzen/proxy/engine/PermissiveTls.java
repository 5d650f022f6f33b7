package io.mizzen.proxy.engine;

import io.mizzen.proxy.tls.MeshTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Istio's PERMISSIVE inbound: the first bytes of a connection decide whether it is mutual TLS (an
 * SslHandler goes in front of the HTTP codec) or plain text (left as it is). Removed after that
 * decision; the bytes it held pass on to whatever follows.
 */
final class PermissiveTls extends ByteToMessageDecoder {
  private final MeshTls tls;

  PermissiveTls(MeshTls tls) {
    this.tls = tls;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (in.readableBytes() < 3) {
      return;
    }
    if (MeshTls.looksLikeTls(in)) {
      // Asked per connection, so a rotated certificate is presented from the next one on.
      ctx.pipeline().addAfter(ctx.name(), "mesh-tls", tls.server().newHandler(ctx.alloc()));
    }
    ctx.pipeline().remove(this);
  }
}
