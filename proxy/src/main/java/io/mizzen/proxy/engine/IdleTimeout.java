package io.mizzen.proxy.engine;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires an {@link IdleStateEvent} (all idle) when a connection has neither read nor written for
 * the timeout, as Netty's {@code IdleStateHandler(0, 0, timeout)} does, but notes a write when it
 * is issued rather than when it completes: {@code IdleStateHandler} turns every void write
 * promise into a real one and hangs a listener on it, which measured about 5% of the proxy's
 * allocation per request. A write that never completes stops further writes through
 * backpressure, so a stalled peer still times out one period after the last write.
 */
final class IdleTimeout extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private long lastActivity;
  private ScheduledFuture<?> check;

  IdleTimeout(long timeoutMillis) {
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActivity = System.nanoTime();
    ctx.fireChannelRead(msg);
  }

  /** Bytes that make no message yet (a header arriving slowly) count too, as in IdleStateHandler. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    lastActivity = System.nanoTime();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    lastActivity = System.nanoTime();
    ctx.write(msg, promise);
  }

  private void start(ChannelHandlerContext ctx) {
    if (timeoutNanos == 0 || check != null) {
      return;
    }
    lastActivity = System.nanoTime();
    schedule(ctx, timeoutNanos);
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    check = ctx.executor().schedule(() -> onCheck(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void onCheck(ChannelHandlerContext ctx) {
    if (check == null || !ctx.channel().isOpen()) {
      return;
    }
    long idleFor = System.nanoTime() - lastActivity;
    if (idleFor < timeoutNanos) {
      schedule(ctx, timeoutNanos - idleFor);
      return;
    }
    // Counted again from now, as IdleStateHandler does: the next event comes one period later.
    lastActivity = System.nanoTime();
    schedule(ctx, timeoutNanos);
    ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
  }

  private void stop() {
    ScheduledFuture<?> c = check;
    check = null;
    if (c != null) {
      c.cancel(false);
    }
  }
}
