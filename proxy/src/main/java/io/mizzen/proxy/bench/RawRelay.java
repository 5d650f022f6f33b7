package io.mizzen.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.mizzen.proxy.MeshProxy;
import io.netty.channel.ChannelFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;

/**
 * The floor under any proxy built on Netty here, for {@code ops/bench/floor.sh}: {@code RawRelay
 * <listenPort> <upstreamPort>} relays bytes as received, one upstream connection per client
 * connection, on one Vert.x event loop with the proxy's own transport (io_uring where it runs),
 * channels and buffer allocator, as the proxy binds them, with no HTTP parsing and no per-request
 * work at all. What Mizzen costs beyond this relay is its HTTP and mesh work; what
 * this relay costs beyond nginx is the JVM and Netty's I/O path. Not a proxy: it never reads a
 * request, so it cannot route, pool or retry.
 */
public final class RawRelay {
  private RawRelay() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: RawRelay <listenPort> <upstreamPort>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    VertxInternal vertx = (VertxInternal) Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1))
        .withTransport(MeshProxy.fastestTransport()).build();
    System.out.println("transport " + MeshProxy.fastestTransport().name());
    ChannelFactory<? extends Channel> upstreamChannels = vertx.transport().channelFactory(false);
    new ServerBootstrap().group(vertx.acceptorEventLoopGroup(), vertx.nettyEventLoopGroup())
        .channelFactory(vertx.transport().serverChannelFactory(false))
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel client) {
            client.pipeline().addLast(new ClientSide(upstreamChannels, upstream));
          }
        }).bind("127.0.0.1", port).addListener((ChannelFutureListener) bound -> {
          // Vert.x's event-loop threads keep the JVM running once main returns.
          if (bound.isSuccess()) {
            System.out.println("READY " + port);
          } else {
            System.err.println("RawRelay: cannot bind 127.0.0.1:" + port + ": " + bound.cause().getMessage());
            System.exit(1);
          }
        });
  }

  /** Forwards what it reads to {@code to}, flushing once per read batch; pauses while it cannot write. */
  private static class Forward extends ChannelInboundHandlerAdapter {
    Channel to;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      to.write(msg, to.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      to.flush();
      if (!to.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && to != null) {
        to.config().setAutoRead(true);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (to != null) {
        to.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** A client connection: dials its upstream on the same event loop, then starts reading. */
  private static final class ClientSide extends Forward {
    private final ChannelFactory<? extends Channel> channels;
    private final int upstream;

    ClientSide(ChannelFactory<? extends Channel> channels, int upstream) {
      this.channels = channels;
      this.upstream = upstream;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel client = ctx.channel();
      Forward back = new Forward();
      back.to = client;
      new Bootstrap().group(client.eventLoop()).channelFactory(channels)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT).handler(back)
          .connect("127.0.0.1", upstream).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
              to = f.channel();
              client.config().setAutoRead(true);
            } else {
              client.close();
            }
          });
    }
  }
}
