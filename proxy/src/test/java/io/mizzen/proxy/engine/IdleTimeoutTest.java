package io.mizzen.proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IdleTimeout} on a real loopback connection (the event comes, and not before its time),
 * and on Netty's embedded channel with its clock stepped a millisecond at a time, for the bounds:
 * a client connection's event within a tick after the timeout, an upstream connection's within a
 * tick before it, wherever in a tick the last read or write fell.
 */
class IdleTimeoutTest {
  private static final long TIMEOUT_MS = 300;
  private EventLoopGroup group;

  @BeforeEach
  void setUp() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void tearDown() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void anIdleConnectionGetsTheAllIdleEventNoSoonerThanTheTimeout() throws Exception {
    CompletableFuture<Long> idleAfterNanos = new CompletableFuture<>();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    long[] activeAt = new long[1];
    int[] events = new int[1];
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            activeAt[0] = System.nanoTime();
            ch.pipeline().addLast(new IdleTimeout(TIMEOUT_MS), new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent e) {
                  events[0]++;
                  assertEquals(IdleStateEvent.ALL_IDLE_STATE_EVENT.state(), e.state());
                  idleAfterNanos.complete(System.nanoTime() - activeAt[0]);
                  ctx.close();
                }
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                closed.complete(null);
              }
            });
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(server.localAddress()).sync().channel();

    long nanos = idleAfterNanos.get(20, TimeUnit.SECONDS);
    assertTrue(nanos >= TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS),
        "idle event after " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms, before the " + TIMEOUT_MS + " ms timeout");
    closed.get(20, TimeUnit.SECONDS);
    assertEquals(1, events[0]);
    client.close().sync();
    server.close().sync();
  }

  private static final long STEPPED_TIMEOUT_MS = 800;
  private static final long TICK_MS = STEPPED_TIMEOUT_MS / IdleTimeout.TICKS;

  @Test
  void aClientConnectionsEventComesNoSoonerThanTheTimeoutAfterItsLastActivityAndWithinATickOfIt() {
    for (long at : new long[] {0, 1, 250, 299, 300, 301, 399, 1234}) {
      for (boolean write : new boolean[] {false, true}) {
        long quiet = quietBeforeTheEvent(new IdleTimeout(STEPPED_TIMEOUT_MS), at, write);
        assertTrue(quiet >= STEPPED_TIMEOUT_MS && quiet <= STEPPED_TIMEOUT_MS + TICK_MS,
            "activity at " + at + " ms (" + (write ? "a write" : "a read") + "): the event after " + quiet + " ms of quiet");
      }
    }
  }

  @Test
  void anUpstreamConnectionsEventComesNoLaterThanTheTimeoutAfterItsLastActivityAndWithinATickOfIt() {
    for (long at : new long[] {0, 1, 250, 299, 300, 301, 399, 1234}) {
      for (boolean write : new boolean[] {false, true}) {
        long quiet = quietBeforeTheEvent(IdleTimeout.upstream(STEPPED_TIMEOUT_MS), at, write);
        assertTrue(quiet <= STEPPED_TIMEOUT_MS && quiet >= STEPPED_TIMEOUT_MS - TICK_MS,
            "activity at " + at + " ms (" + (write ? "a write" : "a read") + "): the event after " + quiet + " ms of quiet");
      }
    }
  }

  /**
   * Milliseconds from the last activity (a read or a write at {@code activityAt} ms, reads every
   * 10 ms before it; none when 0: the connection's start counts) to the first idle event.
   */
  private static long quietBeforeTheEvent(IdleTimeout idle, long activityAt, boolean write) {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.freezeTime();
    long[] now = new long[1];
    List<Long> events = new ArrayList<>();
    channel.pipeline().addLast(idle, new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
          events.add(now[0]);
        }
      }
    });
    for (long t = 1; t <= activityAt + 3 * STEPPED_TIMEOUT_MS && events.isEmpty(); t++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      now[0] = t;
      channel.runScheduledPendingTasks();
      if (t == activityAt || (t < activityAt && t % 10 == 0)) {
        if (write && t == activityAt) {
          channel.writeOutbound("w");
        } else {
          channel.writeInbound("r");
        }
      }
    }
    channel.finishAndReleaseAll();
    assertEquals(1, events.size(), "one idle event, activity at " + activityAt + " ms");
    return events.get(0) - activityAt;
  }
}
