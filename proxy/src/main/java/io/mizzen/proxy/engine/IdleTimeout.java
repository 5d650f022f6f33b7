package io.mizzen.proxy.engine;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires an {@link IdleStateEvent} (all idle) when a connection has neither read nor written for
 * the timeout, as Netty's {@code IdleStateHandler(0, 0, timeout)} does, with two differences that
 * keep it off the per-request path:
 *
 * <ul>
 *   <li>A read or a write only sets a flag; no clock is read ({@code IdleStateHandler} reads it on
 *       every read and every completed write, three or four times a request on each of the
 *       proxy's two connections). A timer ticks {@link #TICKS} times per timeout and counts the
 *       quiet ticks since it last saw the flag, so the event comes within a tick (an eighth of
 *       the timeout) of the exact time: for a client connection never sooner than the timeout
 *       after the last activity, as {@code IdleStateHandler}; for an upstream connection
 *       ({@link #upstream}) never later, so a pooled connection is still closed before an upstream
 *       whose own keep-alive timeout the operator set it under would close it (the race that
 *       gives the classic UC 503s).
 *   <li>A write counts when it is issued rather than when it completes: {@code IdleStateHandler}
 *       turns every void write promise into a real one and hangs a listener on it, which measured
 *       about 5% of the proxy's allocation per request. A write that never completes stops further
 *       writes through backpressure, so a stalled peer still times out one period after the last
 *       write.
 * </ul>
 */
final class IdleTimeout extends ChannelDuplexHandler {
  /** Timer ticks per timeout: the event comes at most a tick's length from the exact time. */
  static final int TICKS = 8;
  private final long tickNanos;
  /**
   * Quiet ticks after the tick that saw activity before the event: the activity came after the
   * tick before that one, and up to that tick; counted from the later end (never early) or from
   * the earlier one (never late).
   */
  private final int quietAfterActivity;
  /** Set by every read and write, cleared by the tick that sees it. */
  private boolean active;
  private int quietTicks;
  /** Quiet ticks that make the event: {@link #TICKS} from a known instant (the start, the last event). */
  private int needed;
  private ScheduledFuture<?> check;

  /** A client connection's: the event never comes before {@code timeoutMillis} of quiet. */
  IdleTimeout(long timeoutMillis) {
    this(timeoutMillis, false);
  }

  private IdleTimeout(long timeoutMillis, boolean neverLate) {
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    long tick = neverLate ? timeoutNanos / TICKS : (timeoutNanos + TICKS - 1) / TICKS;
    this.tickNanos = timeoutNanos == 0 ? 0 : Math.max(1, tick);
    this.quietAfterActivity = neverLate ? TICKS - 1 : TICKS;
  }

  /** An upstream connection's: the event never comes after {@code timeoutMillis} of quiet. */
  static IdleTimeout upstream(long timeoutMillis) {
    return new IdleTimeout(timeoutMillis, true);
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
    active = true;
    ctx.fireChannelRead(msg);
  }

  /** Bytes that make no message yet (a header arriving slowly) count too, as in IdleStateHandler. */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    active = true;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    active = true;
    ctx.write(msg, promise);
  }

  private void start(ChannelHandlerContext ctx) {
    if (tickNanos == 0 || check != null) {
      return;
    }
    active = false;
    quietTicks = 0;
    needed = TICKS;
    schedule(ctx);
  }

  private void schedule(ChannelHandlerContext ctx) {
    check = ctx.executor().schedule(() -> onTick(ctx), tickNanos, TimeUnit.NANOSECONDS);
  }

  private void onTick(ChannelHandlerContext ctx) {
    if (check == null || !ctx.channel().isOpen()) {
      return;
    }
    if (active) {
      active = false;
      quietTicks = 0;
      needed = quietAfterActivity;
    } else {
      quietTicks++;
    }
    schedule(ctx);
    if (quietTicks >= needed) {
      // Counted again from now, as IdleStateHandler does: the next event comes one period later.
      quietTicks = 0;
      needed = TICKS;
      ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }
  }

  private void stop() {
    ScheduledFuture<?> c = check;
    check = null;
    if (c != null) {
      c.cancel(false);
    }
  }
}
