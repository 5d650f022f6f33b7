package io.mizzen.proxy.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The handlers of an HTTP/2 server connection: the frame codec, idle close, and a multiplexer
 * giving each stream a child channel with HTTP/1-style objects in front of {@code perStream}'s
 * handler (the proxy's exchange handler). Trailers travel as the last content's trailing headers.
 */
public final class Http2Streams {
  private Http2Streams() {}

  /**
   * The connection's handlers, in pipeline order.
   *
   * @param maxHeaderBytes the header list size a stream may send
   * @param idleMillis a connection with no traffic this long is closed
   * @param perStream makes the handler at the end of each stream's pipeline
   */
  public static List<ChannelHandler> handlers(int maxHeaderBytes, long idleMillis, Supplier<ChannelHandler> perStream) {
    return List.of(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS), new IdleClose(), codec(maxHeaderBytes),
        streams(perStream));
  }

  static Http2FrameCodec codec(int maxHeaderBytes) {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(maxHeaderBytes))
        .validateHeaders(true)
        .build();
  }

  static ChannelHandler streams(Supplier<ChannelHandler> perStream) {
    return new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), new ExtensionHeaders(), perStream.get());
      }
    });
  }

  static ChannelHandler idleClose() {
    return new IdleClose();
  }

  /**
   * Netty's conversion names pseudo-headers in {@code x-http2-*} headers; they describe this hop
   * only and must not reach the upstream.
   */
  private static final class ExtensionHeaders extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest req) {
        req.headers().remove("x-http2-stream-id");
        req.headers().remove("x-http2-scheme");
        req.headers().remove("x-http2-path");
        req.headers().remove("x-http2-stream-promise-id");
        req.headers().remove("x-http2-stream-dependency-id");
        req.headers().remove("x-http2-stream-weight");
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Closes the connection (every stream with it) when it has been idle. */
  private static final class IdleClose extends ChannelDuplexHandler {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }

  /** Whether a channel is one HTTP/2 stream (a child of a connection). */
  public static boolean isStream(Channel ch) {
    return ch instanceof Http2StreamChannel;
  }
}
