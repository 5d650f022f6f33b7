package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.capture.OriginalDestination;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sidecar inbound under transparent capture with an app serving TCP as well as HTTP: the
 * service port the client dialled says the protocol (Istio 1.4's port naming), and a port that
 * says nothing is told by its first bytes. TCP is relayed to the app's port as bytes, HTTP goes
 * through the HTTP handlers to the app port as before. Real servers and raw sockets; the conntrack
 * table is stood in for by a lookup answering what each test dialled.
 */
class InboundCaptureTest {
  private Fixture f;
  private final AtomicReference<InetSocketAddress> dialled = new AtomicReference<>();
  private int echo;
  private int legacyEcho;
  private int greeter;
  private int app;

  @BeforeEach
  void start() {
    f = new Fixture();
    echo = echoServer().actualPort();
    legacyEcho = echoServer().actualPort();
    // A server that speaks first, as MySQL's and SMTP's do.
    NetServer first = Fixture.await(f.vertx.createNetServer().connectHandler(sock -> {
      sock.write("220 ready\r\n");
      sock.handler(b -> sock.write(Buffer.buffer("got ").appendBuffer(b)));
    }).listen(0, "127.0.0.1"));
    greeter = first.actualPort();
    app = f.named("app").actualPort();
    OriginalDestination table = io.mizzen.proxy.capture.Dialled.by(dialled::get);
    Map<String, String> labels = Map.of("app", "db", "version", "v1");
    f.start(f.options().withInbound(0, app).withSourceLabels(labels).withOriginalDestination(table));
    ServiceInstance self = new ServiceInstance("db", "default", "db.default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("tcp-echo", 9000, echo, ""), new ServicePort("mysql", 3306, greeter, ""),
            new ServicePort("legacy", 7000, legacyEcho, ""), new ServicePort("http", 8000, app, "")),
        labels, "default", "test");
    Fixture.await(f.proxy.apply(new ProxySnapshot("1", List.of(), List.of(self))));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private NetServer echoServer() {
    return Fixture.await(f.vertx.createNetServer()
        .connectHandler(sock -> sock.handler(b -> sock.write(Buffer.buffer("echo ").appendBuffer(b))))
        .listen(0, "127.0.0.1"));
  }

  @Test
  void aTcpPortIsRelayedAsBytesEvenWhenTheyLookLikeHttp() throws Exception {
    String request = "GET /x HTTP/1.1\r\nHost: db\r\n\r\n";
    assertEquals("echo " + request, exchange(echo, request, ("echo " + request).length()));
  }

  @Test
  void aServerThatSpeaksFirstIsHeardThroughTheInbound() throws Exception {
    assertEquals("220 ready\r\n", exchange(greeter, null, "220 ready\r\n".length()));
  }

  @Test
  void aPortThatDeclaresNoProtocolIsToldByItsFirstBytes() throws Exception {
    String binary = "\u0000\u0001hi";
    assertEquals("echo " + binary, exchange(legacyEcho, binary, 7));
    String http = exchange(legacyEcho, "GET /y HTTP/1.1\r\nHost: db\r\nConnection: close\r\n\r\n", -1);
    assertTrue(http.startsWith("HTTP/1.1 200"), http);
    assertTrue(http.contains("app GET /y"), "HTTP goes through the HTTP handlers to the app port: " + http);
  }

  @Test
  void anHttpPortAndAConnectionNotCapturedStayHttp() throws Exception {
    String http = exchange(app, "GET /z HTTP/1.1\r\nHost: db\r\nConnection: close\r\n\r\n", -1);
    assertTrue(http.startsWith("HTTP/1.1 200") && http.contains("app GET /z"), http);
    dialled.set(null);
    String refused = exchange(0, "\u0000\u0001hi\r\n\r\n", -1);
    assertTrue(refused.startsWith("HTTP/1.1 400"), "without an original destination the inbound reads HTTP: " + refused);
  }

  /**
   * One connection to the inbound as if dialled to the app's {@code port} (0: not captured):
   * sends {@code send} (if any), then reads {@code expect} bytes (-1: until the proxy closes).
   */
  private String exchange(int port, String send, int expect) throws IOException {
    if (port > 0) {
      dialled.set(new InetSocketAddress("127.0.0.1", port));
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", f.proxy.inboundPort()), 5_000);
      s.setSoTimeout(10_000);
      if (send != null) {
        s.getOutputStream().write(send.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      while (expect < 0 || got.size() < expect) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        got.write(buf, 0, n);
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
