package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP CONNECT on the sidecar's outbound listener, as an app using it as its HTTPS proxy sends
 * it: the authority is routed (outboundTrafficPolicy, mesh services), then bytes pass both ways
 * untouched; what cannot be reached is answered with a status naming why.
 */
class ConnectTunnelTest {
  private Fixture f;
  private Mesh mesh;
  private NetServer echo;

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.start(f.options());
    echo = Fixture.await(f.vertx.createNetServer().connectHandler(s -> s.handler(b -> s.write(b))).listen(0, "127.0.0.1"));
    mesh = new Mesh(f).instance("web", "v1", f.named("web").actualPort());
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  /** Sends {@code request} on a new connection to the outbound listener; returns the socket, its head read. */
  private Socket connect(String request, StringBuilder head) throws Exception {
    Socket s = new Socket("127.0.0.1", f.proxy.outboundPort());
    s.setSoTimeout(20_000);
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      seen.write(b);
    }
    head.append(seen.toString(StandardCharsets.US_ASCII));
    return s;
  }

  private static String read(Socket s, int n) throws Exception {
    byte[] buf = s.getInputStream().readNBytes(n);
    return new String(buf, StandardCharsets.US_ASCII);
  }

  @Test
  void aTunnelCarriesBytesBothWaysIncludingThoseSentWithTheConnectHead() throws Exception {
    mesh.apply("");
    String target = "127.0.0.1:" + echo.actualPort();
    StringBuilder head = new StringBuilder();
    // The first bytes ride in the same write as the CONNECT head, as eager clients send them.
    try (Socket s = connect("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\nearly|", head)) {
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head.toString());
      assertEquals("early|", read(s, 6));
      OutputStream out = s.getOutputStream();
      byte[] big = new byte[256 * 1024];
      for (int i = 0; i < big.length; i++) {
        big[i] = (byte) i;
      }
      Thread writer = new Thread(() -> {
        try {
          out.write(big);
          out.flush();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      writer.start();
      byte[] back = s.getInputStream().readNBytes(big.length);
      writer.join(20_000);
      assertTrue(java.util.Arrays.equals(big, back), "256 KiB echoed through the tunnel unchanged");
    }
  }

  @Test
  void aMeshServiceIsReachedAtItsEndpointsAndWhatCannotBeReachedIsNamed() throws Exception {
    mesh.apply("");
    StringBuilder head = new StringBuilder();
    try (Socket s = connect("CONNECT web:9080 HTTP/1.1\r\nHost: web:9080\r\n\r\n", head)) {
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head.toString(), "web routes to its endpoint");
      s.getOutputStream().write("GET /through HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 200") && answer.contains("web GET /through"), answer);
    }

    int closed;
    try (ServerSocket nobody = new ServerSocket(0)) {
      closed = nobody.getLocalPort();
    }
    head.setLength(0);
    try (Socket s = connect("CONNECT 127.0.0.1:" + closed + " HTTP/1.1\r\n\r\n", head)) {
      assertTrue(head.toString().startsWith("HTTP/1.1 503") && head.toString().contains("x-mizzen-response-flags: UF"),
          head.toString());
      assertTrue(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("upstream connect error"));
    }

    head.setLength(0);
    try (Socket s = connect("CONNECT web HTTP/1.1\r\nHost: web\r\n\r\n", head)) {
      assertTrue(head.toString().startsWith("HTTP/1.1 400"), head.toString());
      assertTrue(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("CONNECT needs host:port"));
    }

    mesh.apply("apiVersion: networking.istio.io/v1alpha3\nkind: Sidecar\nmetadata: {name: default, namespace: default}\n"
        + "spec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n");
    head.setLength(0);
    try (Socket s = connect("CONNECT 127.0.0.1:" + echo.actualPort() + " HTTP/1.1\r\n\r\n", head)) {
      assertTrue(head.toString().startsWith("HTTP/1.1 502"), head.toString());
      assertTrue(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("REGISTRY_ONLY"));
    }
    head.setLength(0);
    try (Socket s = connect("CONNECT web:9080 HTTP/1.1\r\n\r\n", head)) {
      assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", head.toString(), "a registered host still tunnels");
    }
    assertEquals("web", Bookinfo.servedBy(f.get("web:9080", "/")), "plain requests are served as before");
  }
}
