package io.mizzen.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports free at the time of asking, for a process that must be told its ports before it
 * starts. They are all held open together while chosen, so none is handed out twice; another
 * process can still take one before the child binds it, so callers retry on "Address already in use"
 * (or, better, give the child port 0 and read back what it bound).
 */
public final class FreePorts {
  private FreePorts() {}

  public static int[] pick(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }
}
