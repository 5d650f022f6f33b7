package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.access.AccessLogEntry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket upgrades pass through the proxy, frames both ways, until either side closes. */
class WebSocketTest {
  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.start(f.options());
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void framesFlowBothWaysThroughTheUpgrade() throws Exception {
    HttpServer echo = Fixture.await(f.vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(text -> ws.writeTextMessage("echo " + text)))
        .listen(0, "127.0.0.1"));
    Mesh mesh = new Mesh(f).instance("chat", "v1", echo.actualPort());
    mesh.apply("");
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocketConnectOptions options = new WebSocketConnectOptions();
    options.setHost("127.0.0.1").setPort(f.proxy.outboundPort()).setURI("/ws").putHeader("host", "chat:9080");
    // Held in a variable: an unreferenced Vert.x client is closed by the garbage collector.
    WebSocketClient client = f.vertx.createWebSocketClient();
    WebSocket ws = Fixture.await(client.connect(options));
    ws.textMessageHandler(received::add);
    for (int i = 0; i < 20; i++) {
      ws.writeTextMessage("m" + i);
    }
    for (int i = 0; i < 20; i++) {
      assertEquals("echo m" + i, received.poll(10, TimeUnit.SECONDS));
    }
    String big = "x".repeat(200_000);
    ws.writeTextMessage(big);
    assertEquals("echo " + big, received.poll(10, TimeUnit.SECONDS));
    Fixture.await(ws.close());
    Fixture.await(client.close());
    AccessLogEntry entry = f.logEntry(e -> e.path().equals("/ws"));
    assertEquals(101, entry.status());
    assertTrue(entry.bytesSent() > 200_000, entry.toString());
    assertEquals("-", entry.flags());
  }
}
