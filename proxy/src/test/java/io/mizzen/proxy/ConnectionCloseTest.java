package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that close after one request must not harm the pooled upstream connections later
 * requests use: the pooled connection was once paused for a client that had closed (a closed
 * channel is never writable) and never read its next response.
 */
class ConnectionCloseTest {
  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture();
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void connectionCloseRequestsLeaveThePoolHealthy() throws Exception {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer up = f.upstream(req -> {
      seen.add(req.path() + "@" + req.connection().remoteAddress() + " conn=" + req.getHeader("connection"));
      req.response().end("ok " + req.path());
    });
    f.start(f.options());
    for (int i = 0; i < 24; i++) {
      // Alternately HTTP/1.1 with Connection: close and HTTP/1.0 (close unless asked otherwise).
      String request = i % 2 == 0
          ? "GET /" + i + " HTTP/1.1\r\nHost: 127.0.0.1:" + up.actualPort() + "\r\nConnection: close\r\n\r\n"
          : "GET /" + i + " HTTP/1.0\r\nHost: 127.0.0.1:" + up.actualPort() + "\r\n\r\n";
      String answer = Fixture.raw(f.proxy.outboundPort(), request.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(5));
      assertTrue(answer.matches("(?s)HTTP/1\\.[01] 200 .*") && answer.endsWith("ok /" + i), "request " + i + ": " + answer + " upstream saw " + seen);
    }
  }
}
