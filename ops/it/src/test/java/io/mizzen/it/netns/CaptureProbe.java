package io.mizzen.it.netns;

import io.mizzen.proxy.capture.OriginalDestination;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Stands where the sidecar's outbound listener stands (run by {@code java -cp} in a namespace
 * with capture rules) and answers each captured HTTP request with the original destination the
 * proxy's {@link OriginalDestination} recovers from this namespace's conntrack table.
 */
public final class CaptureProbe {
  private CaptureProbe() {}

  /** {@code CaptureProbe <listen port>}; runs until killed. */
  public static void main(String[] args) throws IOException {
    OriginalDestination table = OriginalDestination.conntrack();
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), Integer.parseInt(args[0])));
      System.out.println("capture probe on " + server.getLocalSocketAddress() + "; table: "
          + (table.unavailableReason() == null ? "readable" : table.unavailableReason()));
      while (true) {
        try (Socket s = server.accept()) {
          // Read the request head: curl waits for it to be consumed before reading the answer.
          byte[] buf = new byte[8192];
          s.getInputStream().read(buf);
          String answer = "original="
              + table.lookup((InetSocketAddress) s.getRemoteSocketAddress(), (InetSocketAddress) s.getLocalSocketAddress())
                  .map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse("unknown")
              + " peer=" + s.getRemoteSocketAddress() + " local=" + s.getLocalSocketAddress() + "\n";
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
        }
      }
    }
  }
}
