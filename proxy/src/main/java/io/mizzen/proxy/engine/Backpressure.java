package io.mizzen.proxy.engine;

import io.netty.channel.Channel;

/**
 * Flush with flow control, in the order that cannot hang: pause the source before flushing a
 * target that is not writable, then look again, since the flush itself may have drained it and
 * fired the writability event before the pause existed.
 */
final class Backpressure {
  private Backpressure() {}

  /** Flushes {@code target}; pauses {@code source} while {@code target} is not writable. */
  static void flush(Channel target, Channel source) {
    if (!target.isWritable()) {
      source.config().setAutoRead(false);
      target.flush();
      if (target.isWritable()) {
        source.config().setAutoRead(true);
      }
    } else {
      target.flush();
    }
  }
}
