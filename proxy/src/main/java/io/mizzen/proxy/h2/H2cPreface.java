package io.mizzen.proxy.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Looks at a plain-text connection's first bytes: the HTTP/2 connection preface
 * ({@code PRI * HTTP/2.0...}) means h2c with prior knowledge, anything else HTTP/1.1. Then it
 * installs that protocol's handlers after itself and steps aside; the bytes read so far flow on
 * to them.
 */
public final class H2cPreface extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private final Install http1;
  private final Install h2;

  /** Puts one protocol's handlers after the named handler. */
  @FunctionalInterface
  public interface Install {
    void after(ChannelHandlerContext ctx);
  }

  public H2cPreface(Install http1, Install h2) {
    this.http1 = http1;
    this.h2 = h2;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
      // Idle before saying anything: no protocol handler is there yet to close it.
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    if (n == 0) {
      return;
    }
    boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
    if (!prefix) {
      http1.after(ctx);
    } else if (n == PREFACE.readableBytes()) {
      h2.after(ctx);
    } else {
      return;
    }
    // Removing a decoder hands what it buffered to the next handler.
    ctx.pipeline().remove(this);
  }
}
