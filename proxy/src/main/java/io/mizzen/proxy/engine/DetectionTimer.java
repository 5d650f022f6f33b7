package io.mizzen.proxy.engine;

import io.mizzen.proxy.capture.CaptureHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Istio's {@code protocolDetectionTimeout} for a captured connection's protocol sniffing
 * ({@link CapturedProtocols}, {@link InboundProtocols}): once {@link #MILLIS} pass with nothing
 * read, {@code onSilence} runs on the connection's event loop (a protocol whose server speaks
 * first). The time counts again while the original destination is still being looked up, since
 * nothing can be read before that. One per handler; not thread-safe.
 */
final class DetectionTimer {
  /** Istio's {@code protocolDetectionTimeout} default. */
  static final long MILLIS = 100;
  private ScheduledFuture<?> timer;

  /** Starts counting; {@code onSilence} runs unless {@link #cancel} comes first or the handler of {@code ctx} is gone. */
  void arm(ChannelHandlerContext ctx, Runnable onSilence) {
    timer = ctx.executor().schedule(() -> {
      if (ctx.isRemoved()) {
        return;
      }
      if (ctx.pipeline().get(CaptureHandler.class) != null) {
        arm(ctx, onSilence); // the original destination is still being looked up: nothing could be read yet
        return;
      }
      onSilence.run();
    }, MILLIS, TimeUnit.MILLISECONDS);
  }

  void cancel() {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
