package io.mizzen.proxy.capture;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * First handler of a captured listener's connection: before the first byte is read, looks the
 * connection up in {@link OriginalDestination} on a worker (the lookup reads a kernel table), keeps
 * the answer on the channel ({@link #originalDestination}), then lets reading start and leaves the
 * pipeline. A lookup that fails is logged once per connection and the connection goes on without
 * it: the listener then routes by Host header / app port as it does without capture.
 */
public final class CaptureHandler extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<InetSocketAddress> ORIGINAL = AttributeKey.valueOf("mizzen.originalDestination");
  private static final System.Logger LOG = System.getLogger(CaptureHandler.class.getName());

  private final Vertx vertx;
  private final OriginalDestination table;

  public CaptureHandler(Vertx vertx, OriginalDestination table) {
    this.vertx = vertx;
    this.table = table;
  }

  /** Where the connection was going before capture, or null (not captured, or not known). */
  public static InetSocketAddress originalDestination(Channel channel) {
    return channel.hasAttr(ORIGINAL) ? channel.attr(ORIGINAL).get() : null;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    // Set before the head's first read: nothing is read, so nothing is routed, until the answer is in.
    channel.config().setAutoRead(false);
    ctx.fireChannelActive();
    InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
    InetSocketAddress local = (InetSocketAddress) channel.localAddress();
    vertx.<Optional<InetSocketAddress>>executeBlocking(() -> table.lookup(peer, local), false)
        .onComplete(ar -> channel.eventLoop().execute(() -> {
          if (ar.succeeded()) {
            ar.result().ifPresent(original -> channel.attr(ORIGINAL).set(original));
          } else {
            LOG.log(System.Logger.Level.WARNING, "original destination of " + peer + " -> " + local
                + " unknown: " + ar.cause().getMessage());
          }
          if (ctx.pipeline().get(CaptureHandler.class) != null) {
            ctx.pipeline().remove(this);
          }
          if (channel.isActive()) {
            channel.config().setAutoRead(true);
          }
        }));
  }
}
