package io.mizzen.proxy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw bytes to a listener and what comes back, for the property tests that mangle protocols. */
final class RawExchange {
  /** What {@link #send} appends when the peer neither closed nor answered within the timeout. */
  static final String TIMEOUT = "<timeout>";

  private RawExchange() {}

  /**
   * Writes {@code input} to {@code 127.0.0.1:port} and reads until the peer closes, resets, or
   * {@code timeoutMillis} passes without a byte (then {@link #TIMEOUT} ends what was read). A peer
   * that refuses and closes before taking all of the input still has its answer read.
   */
  static byte[] send(int port, byte[] input, int timeoutMillis) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(timeoutMillis);
      try {
        OutputStream out = s.getOutputStream();
        out.write(input);
        out.flush();
      } catch (SocketException closedWhileWriting) {
        // refused and closed before taking it all: what was answered is still to be read
      }
      InputStream in = s.getInputStream();
      byte[] chunk = new byte[8192];
      try {
        int n;
        while ((n = in.read(chunk)) >= 0) {
          got.write(chunk, 0, n);
        }
      } catch (SocketTimeoutException e) {
        got.write(TIMEOUT.getBytes(StandardCharsets.US_ASCII));
      } catch (SocketException reset) {
        // closed with our bytes unread (a reset): what came before it counts
      }
    }
    return got.toByteArray();
  }

  /** {@link #send}, read as ISO-8859-1 text. */
  static String text(int port, byte[] input, int timeoutMillis) throws Exception {
    return new String(send(port, input, timeoutMillis), StandardCharsets.ISO_8859_1);
  }

  /** Bytes as a reader can follow them: CR and LF named (a line break after LF), others escaped. */
  static String show(String title, byte[] bytes) {
    StringBuilder b = new StringBuilder("--- " + title + " " + bytes.length + " bytes ---\n");
    for (int i = 0; i < Math.min(bytes.length, 2000); i++) {
      int c = bytes[i] & 0xff;
      if (c == '\n') {
        b.append("\\n\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c < 0x20 || c >= 0x7f) {
        b.append(String.format("\\x%02x", c));
      } else {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
