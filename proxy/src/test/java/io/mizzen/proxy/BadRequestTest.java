package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad requests are answered correctly, and the proxy keeps serving everyone else. */
class BadRequestTest {
  private Fixture f;
  private HttpServer up;
  private final AtomicInteger upstreamRequests = new AtomicInteger();

  @BeforeEach
  void setUp() {
    f = new Fixture();
    up = f.upstream(req -> {
      upstreamRequests.incrementAndGet();
      req.body().onSuccess(b -> req.response().end("fine " + b.length()));
    });
    f.start(f.options().withIdleTimeout(Duration.ofMillis(400)));
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private String host() {
    return "Host: 127.0.0.1:" + up.actualPort() + "\r\n";
  }

  private String send(String raw) throws Exception {
    return Fixture.raw(f.proxy.outboundPort(), raw.getBytes(StandardCharsets.ISO_8859_1), Duration.ofSeconds(10));
  }

  private void stillServes() {
    assertEquals("fine 0", f.get("127.0.0.1:" + up.actualPort(), "/ok").body());
  }

  @Test
  void malformedRequestLineGets400() throws Exception {
    String answer = send("GET /a b c d\r\n" + host() + "\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    String garbage = send("\u0001\u0002 nonsense\r\n\r\n");
    assertTrue(garbage.startsWith("HTTP/1.1 400"), garbage);
    assertEquals(0, upstreamRequests.get());
    stillServes();
    assertEquals(2L, f.proxy.stats().byStatus().get(400));
  }

  @Test
  void aVersionOtherThanHttp1xGets505AndNothingAfterARefusedRequestIsForwarded() throws Exception {
    // Found by RequestFuzzPropertyTest: Netty's decoder takes any PROTOCOL/major.minor, and the
    // request went upstream as "HTTP/2.0"; and a request pipelined behind one refused locally was
    // still forwarded while the refusal's connection closed.
    String answer = send("GET / HTTP/2.0\r\n" + host() + "Content-Length: 3\r\n\r\nabc"
        + "GET /behind HTTP/1.1\r\n" + host() + "\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 505 "), answer);
    assertTrue(answer.contains("HTTP version not supported: HTTP/2.0"), answer);
    assertFalse(answer.contains("fine"), answer);
    String behindBadLine = send("GET /a b c d\r\n" + host() + "\r\nGET /behind HTTP/1.1\r\n" + host() + "\r\n");
    assertTrue(behindBadLine.startsWith("HTTP/1.1 400"), behindBadLine);
    assertFalse(behindBadLine.contains("fine"), behindBadLine);
    stillServes();
    assertEquals(1, upstreamRequests.get(), "only stillServes' request reached the upstream");
  }

  @Test
  void headersOver64KiBGet431() throws Exception {
    String big = "X-Big: " + "a".repeat(70 * 1024) + "\r\n";
    String answer = send("GET / HTTP/1.1\r\n" + host() + big + "\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 431"), answer.substring(0, Math.min(200, answer.length())));
    assertEquals(0, upstreamRequests.get());
    stillServes();
  }

  @Test
  void conflictingContentLengthAndTransferEncodingAreRejectedWithoutSmuggling() throws Exception {
    // Read by Content-Length the body holds a second request; read chunked it does not.
    String smuggled = "GET /smuggled HTTP/1.1\r\n" + host() + "\r\n";
    String body = "0\r\n\r\n" + smuggled;
    String answer = send("POST /front HTTP/1.1\r\n" + host() + "Content-Length: " + body.length()
        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    assertFalse(answer.contains("fine"), answer);
    assertEquals(0, upstreamRequests.get(), "neither request reached the upstream");
    String twoLengths = send("POST / HTTP/1.1\r\n" + host() + "Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde");
    assertTrue(twoLengths.startsWith("HTTP/1.1 400"), twoLengths);
    stillServes();
  }

  @Test
  void aTransferEncodingNotEndingInChunkedOnceOrOnHttp10IsRejectedNotForwarded() throws Exception {
    // Found by RequestFuzzPropertyTest: "Transfer-Encoding: ch,nked" was read as no body and
    // forwarded with the header, and the upstream waited for a body the client never framed.
    for (String te : List.of("gzip", "ch,nked", "chunked, gzip", "chunked, chunked", "chunked,", "")) {
      String answer = send("POST /a HTTP/1.1\r\n" + host() + "Transfer-Encoding: " + te + "\r\n\r\n"
          + "5\r\nhello\r\n0\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 400 "), te + ": " + answer);
      assertTrue(answer.contains("Transfer-Encoding must end in chunked, once"), te + ": " + answer);
      assertTrue(answer.toLowerCase(Locale.ROOT).contains("connection: close"), te + ": " + answer);
    }
    // Two header lines are one list: "gzip" then "chunked" ends in chunked, "chunked" then "gzip" does not.
    String split = send("POST /a HTTP/1.1\r\n" + host() + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n");
    assertTrue(split.startsWith("HTTP/1.1 400 "), split);
    // HTTP/1.0 has no chunked framing: with a Content-Length beside it, which one the upstream reads decides
    // where the next request starts.
    String smuggled = "GET /smuggled HTTP/1.0\r\n" + host() + "\r\n";
    String body = "0\r\n\r\n" + smuggled;
    String old = send("POST /front HTTP/1.0\r\n" + host() + "Content-Length: " + body.length()
        + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
    assertTrue(old.startsWith("HTTP/1.0 400 ") || old.startsWith("HTTP/1.1 400 "), old);
    assertTrue(old.contains("an HTTP/1.0 request may not carry Transfer-Encoding"), old);
    assertEquals(0, upstreamRequests.get(), "none of them reached the upstream");
    // What stays allowed: chunked alone, in any case, and after another coding.
    for (String te : List.of("chunked", "Chunked", "gzip, chunked")) {
      String ok = send("POST /a HTTP/1.1\r\n" + host() + "Transfer-Encoding: " + te + "\r\nConnection: close\r\n\r\n"
          + "5\r\nhello\r\n0\r\n\r\n");
      assertTrue(ok.startsWith("HTTP/1.1 200 ") && ok.endsWith("fine 5"), te + ": " + ok);
    }
    stillServes();
  }

  @Test
  void stalledClientsAreClosedAtTheIdleTimeout() throws Exception {
    long start = System.nanoTime();
    String partialHead = send("GET / HTTP/1.1\r\n" + host());
    assertFalse(partialHead.contains("<timeout>"), "closed by the proxy, not by our read timeout");
    String partialBody = send("POST / HTTP/1.1\r\n" + host() + "Content-Length: 10\r\n\r\nabc");
    assertTrue(partialBody.startsWith("HTTP/1.1 408"), partialBody);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8));
    stillServes();
  }

  @Test
  void tenThousandIdleConnectionsDoNotStopService() throws Exception {
    f.close();
    f = new Fixture();
    up = f.upstream(req -> req.response().end("fine 0"));
    f.start(f.options());
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        IdleClients.class.getName(), Integer.toString(f.proxy.outboundPort()), "10000")
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line = out.readLine();
      assertEquals("OPEN 10000", line);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (f.proxy.connections() < 10_000 && System.nanoTime() < deadline) {
        stillServes();
      }
      assertTrue(f.proxy.connections() >= 10_000, "proxy holds " + f.proxy.connections());
      stillServes();
      try (Socket s = new Socket("127.0.0.1", f.proxy.outboundPort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("GET / HTTP/1.1\r\n" + host() + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        assertTrue(Fixture.readAll(s.getInputStream()).endsWith("fine 0"));
      }
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }
}
