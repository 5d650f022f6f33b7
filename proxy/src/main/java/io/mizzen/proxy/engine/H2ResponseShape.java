package io.mizzen.proxy.engine;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Gives an upstream HTTP/2 stream's response the shape an HTTP/1.1 connection's has, which the
 * exchange relays: a head, then contents up to the last. Netty's conversion hands a response
 * that ends with its headers over as one full message; a 1xx or an empty answer is split here.
 * gRPC's trailers-only answer (its status in the headers) stays whole, so that an HTTP/2 client
 * gets it as it was sent; {@link #statusToTrailers} reshapes it for an HTTP/1.1 client. The
 * {@code x-http2-*} headers the conversion adds describe this hop only.
 */
final class H2ResponseShape extends ChannelInboundHandlerAdapter {
  private static final String[] GRPC_STATUS = {"grpc-status", "grpc-message", "grpc-status-details-bin"};

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpResponse response)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HttpHeaders headers = response.headers();
    headers.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
    headers.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
    if (!(msg instanceof FullHttpResponse full)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (trailersOnly(full)) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      ctx.fireChannelRead(full);
      return;
    }
    LastHttpContent last = new DefaultLastHttpContent(full.content());
    last.trailingHeaders().add(full.trailingHeaders());
    ctx.fireChannelRead(new DefaultHttpResponse(full.protocolVersion(), full.status(), headers));
    ctx.fireChannelRead(last);
  }

  /** Whether a whole response is gRPC's trailers-only answer: no body, its status in the headers. */
  static boolean trailersOnly(FullHttpResponse full) {
    return !full.content().isReadable() && full.status().code() >= 200 && full.headers().contains(GRPC_STATUS[0]);
  }

  /**
   * A trailers-only answer as an HTTP/1.1 client can take it: its {@code grpc-*} status moves
   * from the headers (left in {@code full}, which becomes the head) into the returned trailers.
   */
  static LastHttpContent statusToTrailers(FullHttpResponse full) {
    LastHttpContent last = new DefaultLastHttpContent(full.content());
    for (String name : GRPC_STATUS) {
      String value = full.headers().get(name);
      if (value != null) {
        last.trailingHeaders().set(name, value);
        full.headers().remove(name);
      }
    }
    return last;
  }
}
