package io.mizzen.proxy;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link BadRequestTest}: opens many idle connections to a port (a process
 * has too few file descriptors to hold both ends of 10,000 connections), reports, and holds them
 * until its stdin closes or a deadline passes.
 */
public final class IdleClients {
  private IdleClients() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    int count = Integer.parseInt(args[1]);
    List<Socket> sockets = new ArrayList<>(count);
    long deadline = System.nanoTime() + 60_000_000_000L;
    for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
      sockets.add(new Socket("127.0.0.1", port));
    }
    System.out.println("OPEN " + sockets.size());
    System.out.flush();
    // Holds the connections until the parent closes our stdin (or dies).
    while (System.in.read() >= 0) {
      continue;
    }
    for (Socket s : sockets) {
      s.close();
    }
  }
}
