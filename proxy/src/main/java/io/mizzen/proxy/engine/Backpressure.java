package io.mizzen.proxy.engine;

import io.netty.channel.Channel;

/**
 * Flushing and closing in the orders that cannot hang or cut. Flush with flow control, in the order that cannot hang: pause the source before flushing a
 * target that is not writable, then look again, since the flush itself may have drained it and
 * fired the writability event before the pause existed.
 */
final class Backpressure {
  private Backpressure() {}

  /** Flushes {@code target}; pauses {@code source} while {@code target} is not writable. */
  static void flush(Channel target, Channel source) {
    if (!target.isActive()) {
      // A closed channel is never writable again: pausing the source for it would stall it for good.
      return;
    }
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

  /** Closes a channel once everything written to it so far is flushed to the socket. */
  static void flushThenClose(Channel ch) {
    io.netty.channel.ChannelHandlerContext first = ch.pipeline().firstContext();
    if (first == null || !ch.isActive()) {
      ch.close();
      return;
    }
    // Through the head, past the codec, so the empty write is not taken for an HTTP message.
    first.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
  }
}
