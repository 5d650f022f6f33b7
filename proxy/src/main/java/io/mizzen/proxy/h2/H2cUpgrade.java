package io.mizzen.proxy.h2;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.util.AsciiString;
import java.util.function.Supplier;

/**
 * {@code Upgrade: h2c} on an HTTP/1.1 connection: answers 101, removes the HTTP/1.1 handlers and
 * puts HTTP/2's in their place; the upgrading request becomes stream 1. Clients upgrade on their
 * first request, so once a first request without it has passed, this handler leaves the
 * pipeline and HTTP/1.1 pays nothing more for it.
 */
public final class H2cUpgrade extends HttpServerUpgradeHandler {
  private boolean decided;

  /**
   * @param http1 removes the connection's HTTP/1.1 handlers (codec and exchange handler)
   * @param maxHeaderBytes HTTP/2's header list limit
   * @param maxUpgradeBody the largest request body an upgrading request may carry
   * @param perStream makes each stream's exchange handler
   */
  public H2cUpgrade(SourceCodec http1, int maxHeaderBytes, int maxUpgradeBody, Supplier<ChannelHandler> perStream) {
    super(http1, protocol -> AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
        ? new Http2ServerUpgradeCodec(Http2Streams.codec(maxHeaderBytes), Http2Streams.streams(perStream),
            Http2Streams.idleClose())
        : null, maxUpgradeBody);
  }

  @Override
  protected boolean shouldHandleUpgradeRequest(HttpRequest req) {
    String upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
    return upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("h2c");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    boolean plain = !decided && msg instanceof HttpRequest r && !shouldHandleUpgradeRequest(r);
    super.channelRead(ctx, msg);
    if (plain) {
      decided = true;
      ctx.pipeline().remove(this);
    }
  }
}
