package io.mizzen.proxy.engine;

import io.netty.channel.Channel;

/** Whoever currently uses an upstream connection: a client's exchange, or a mirrored request. */
interface UpstreamOwner {
  /** The client channel to flush after a read batch, or {@code null} when nobody waits. */
  Channel client();

  /** A response object; ownership moves to the owner. */
  void onUpstreamRead(Object msg);

  /** The upstream's read batch ended: whatever the owner held back for the client goes out now. */
  default void releaseHeldHead() {}

  /** The upstream became writable again. */
  void onUpstreamWritable();

  /** The connection closed while owned. */
  void onUpstreamClosed(Channel upstream);

  /** An error on the connection, just before it is closed. */
  void noteUpstreamError(Throwable cause);
}
