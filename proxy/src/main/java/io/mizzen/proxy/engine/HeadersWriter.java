package io.mizzen.proxy.engine;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * How the HTTP/1.1 encoders write a head's {@link FlatHeaders}: every header as
 * {@code name: value CRLF}, as Netty's encoder writes them, laid out in a scratch array of the
 * thread's and copied into the buffer at once (names and values read by {@link PlainHead} are
 * copied as the bytes they are views of). Other headers are left to Netty's encoder.
 */
final class HeadersWriter {
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[1024];
    }
  };

  private HeadersWriter() {}

  /** Writes {@code headers} into {@code buf} if they are {@link FlatHeaders}; false leaves them to Netty's encoder. */
  static boolean write(HttpHeaders headers, ByteBuf buf) {
    if (!(headers instanceof FlatHeaders flat)) {
      return false;
    }
    int size = flat.size();
    int total = 0;
    for (int i = 0; i < size; i++) {
      total += flat.nameAt(i).length() + flat.valueAt(i).length() + 4;
    }
    byte[] out = SCRATCH.get();
    if (out.length < total) {
      out = new byte[Math.max(total, out.length * 2)];
      SCRATCH.set(out);
    }
    int at = 0;
    for (int i = 0; i < size; i++) {
      at = put(out, at, flat.nameAt(i));
      out[at++] = ':';
      out[at++] = ' ';
      at = put(out, at, flat.valueAt(i));
      out[at++] = '\r';
      out[at++] = '\n';
    }
    buf.writeBytes(out, 0, total);
    return true;
  }

  private static int put(byte[] out, int at, CharSequence chars) {
    int length = chars.length();
    if (chars instanceof AsciiString ascii) {
      System.arraycopy(ascii.array(), ascii.arrayOffset(), out, at, length);
    } else {
      for (int i = 0; i < length; i++) {
        out[at + i] = AsciiString.c2b(chars.charAt(i)); // as Netty's encoder: a char past 0xFF becomes '?'
      }
    }
    return at + length;
  }
}
