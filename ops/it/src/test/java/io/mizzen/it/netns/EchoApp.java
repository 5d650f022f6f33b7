package io.mizzen.it.netns;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The server workload of the netns test, run in its pod by {@code java -cp}: answers every
 * request with the headers it received (one {@code name: value} line each, names lower-cased), so
 * the test reads what the sidecars added on the way.
 */
public final class EchoApp {
  private EchoApp() {}

  /** {@code EchoApp <bind address> <port>}; runs until killed. */
  public static void main(String[] args) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 16);
    server.createContext("/", exchange -> {
      TreeMap<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
      StringBuilder body = new StringBuilder("echo " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n");
      headers.forEach((k, v) -> body.append(k).append(": ").append(v).append('\n'));
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "text/plain");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
    System.out.println("echo app listening on " + args[0] + ":" + args[1]);
  }
}
