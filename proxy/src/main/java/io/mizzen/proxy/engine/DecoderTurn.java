package io.mizzen.proxy.engine;

import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.function.Predicate;

/**
 * Whose turn it is to read an HTTP/1.1 connection's next message: {@link PlainHead} at the start
 * of a message; Netty's decoder from the moment it is handed any bytes of one until it has put
 * out that message's end (it keeps state inside a message); and Netty's decoder for good once it
 * refused a message (it then discards the rest) or the connection is leaving HTTP/1.1 (an
 * upgrade, CONNECT, a 101).
 */
final class DecoderTurn {
  private boolean netty;
  private boolean nettyForGood;

  /** Whether {@link PlainHead} may try the next bytes. */
  boolean plainMayRead() {
    return !netty;
  }

  /** The bytes go to Netty's decoder. */
  void toNetty() {
    netty = true;
  }

  /**
   * Notes what Netty's decoder put out, from {@code out[from]} on.
   *
   * @param leaving whether a message takes the connection out of HTTP/1.1
   */
  void nettyPutOut(List<Object> out, int from, Predicate<HttpMessage> leaving) {
    for (int i = from; i < out.size(); i++) {
      Object message = out.get(i);
      if (message instanceof HttpMessage m && (m.decoderResult().isFailure() || leaving.test(m))) {
        nettyForGood = true;
      }
      if (message instanceof LastHttpContent) {
        netty = nettyForGood;
      }
    }
  }
}
