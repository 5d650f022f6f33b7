package io.mizzen.proxy.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * The last handler of an upstream connection: hands each response object to the exchange that
 * owns the connection, and flushes the client once per read batch. A connection with no owner is
 * in the pool; anything it reads then is unexpected and closes it.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
  private final UpstreamPool pool;
  private final InetSocketAddress key;
  private final int maxRequests;
  /** What the connection is ({@link UpstreamSecurity#kind}): its pool, and how it was secured. */
  private final Object kind;
  private final boolean stream;
  private int served;
  private UpstreamOwner exchange;
  private Channel flushTarget;

  /**
   * @param kind the connection's kind ({@link UpstreamSecurity#kind}): null for plain text
   * @param stream whether the channel is one HTTP/2 stream, used for one exchange and closed
   */
  UpstreamHandler(UpstreamPool pool, InetSocketAddress key, int maxRequests, Object kind, boolean stream) {
    this.stream = stream;
    this.pool = pool;
    this.key = key;
    this.maxRequests = maxRequests;
    this.kind = kind;
  }

  /** The connection's kind ({@link UpstreamSecurity#kind}): null for plain text. */
  Object kind() {
    return kind;
  }

  /** The TLS origination settings the connection was opened with, {@code null} when none. */
  io.mizzen.proxy.tls.TlsOrigination.Context originated() {
    return kind instanceof io.mizzen.proxy.tls.TlsOrigination.Context c ? c : null;
  }

  InetSocketAddress key() {
    return key;
  }

  /** Whether the connection carries mutual TLS: it is pooled apart from plain-text ones. */
  boolean mutualTls() {
    return UpstreamSecurity.isMesh(kind);
  }

  void attach(UpstreamOwner owner) {
    exchange = owner;
    served++;
  }

  void detach() {
    exchange = null;
  }

  /** Whether the channel takes no further exchange: an HTTP/2 stream never does. */
  boolean exhausted() {
    return stream || maxRequests > 0 && served >= maxRequests;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamOwner owner = exchange;
    if (owner == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    Channel client = owner.client();
    if (client != null) {
      flushTarget = client;
    }
    owner.onUpstreamRead(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamOwner owner = exchange;
    if (owner != null) {
      owner.releaseHeldHead();
    }
    Channel client = flushTarget;
    if (client != null) {
      flushTarget = null;
      if (exchange == null) {
        // The exchange ended in this batch (the connection may be back in the pool): flush what
        // it wrote, but never pause this connection for a client that is no longer its own.
        client.flush();
      } else {
        Backpressure.flush(client, ctx.channel());
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamOwner owner = exchange;
    if (owner != null && ctx.channel().isWritable()) {
      owner.onUpstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    UpstreamOwner owner = exchange;
    exchange = null;
    if (owner != null) {
      owner.onUpstreamClosed(ctx.channel());
    } else if (!stream) {
      pool.remove(ctx.channel(), this);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && exchange == null) {
      ctx.close();
    } else if (evt instanceof Http2ResetFrame reset && exchange != null) {
      // The stream closes next; the exchange answers 503 UC or retries as for a reset connection.
      Http2Error error = Http2Error.valueOf(reset.errorCode());
      exchange.noteUpstreamError(new IllegalStateException("upstream reset the stream: "
          + (error == null ? "error " + reset.errorCode() : error.name())));
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // The exchange learns of it through channelInactive and answers 503 UC or cuts the response.
    UpstreamOwner owner = exchange;
    if (owner != null) {
      owner.noteUpstreamError(cause);
    }
    ctx.close();
  }
}
