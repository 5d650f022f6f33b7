package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VirtualService {@code tcp:} routes on a gateway's TCP ports: weights, port and subnet matches,
 * {@code connectionPool.tcp.maxConnections}, a large transfer both ways with back-pressure,
 * the idle timeout, and Istio's TCP metrics.
 */
class TcpRouteTest {
  private Fixture f;
  private final List<ServiceInstance> instances = new ArrayList<>();

  private static final String CONFIG = """
      apiVersion: networking.istio.io/v1alpha3
      kind: Gateway
      metadata: {name: edge}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 31400, name: tcp, protocol: TCP}
          hosts: ["*"]
        - port: {number: 31500, name: tcp-b, protocol: TCP}
          hosts: ["*"]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: echo}
      spec:
        hosts: ["*"]
        gateways: [edge]
        tcp:
        - match: [{port: 31400}]
          route:
          - {destination: {host: echo-a, port: {number: 9000}}, weight: 75}
          - {destination: {host: echo-b, port: {number: 9000}}, weight: 25}
        - match: [{port: 31500, sourceSubnet: 10.0.0.0/8}]
          route: [{destination: {host: echo-a}}]
        - match: [{port: 31500, destinationSubnets: [127.0.0.0/8]}]
          route: [{destination: {host: echo-c}}]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: DestinationRule
      metadata: {name: echo-c}
      spec:
        host: echo-c
        trafficPolicy:
          connectionPool:
            tcp: {maxConnections: 1}
      """;

  private void start(Duration idle) {
    f = new Fixture();
    f.start(f.options().withIdleTimeout(idle).withGateways(Set.of()).withSourceLabels(Map.of("istio", "ingressgateway"))
        .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(31400, 0, 31500, 0), null)));
    for (String name : List.of("echo-a", "echo-b", "echo-c")) {
      NetServer echo = Fixture.await(f.vertx.createNetServer().connectHandler(s -> {
        s.write(name + "\n");
        // Echo with back-pressure: pause while the socket's write queue is full.
        s.pipeTo(s);
      }).listen(0, "127.0.0.1"));
      instances.add(new ServiceInstance(name, "default", name + ".default.svc.cluster.local", "127.0.0.1",
          List.of(new ServicePort("tcp", 9000, echo.actualPort(), "TCP")), Map.of("app", name), "default", "test"));
    }
    Fixture.await(f.proxy.apply(new ProxySnapshot("1", Samples.parse(CONFIG, "inline"), instances)));
  }

  @BeforeEach
  void startDefault() {
    start(Duration.ofMinutes(5));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private static String firstLine(Socket s) throws Exception {
    s.setSoTimeout(20_000);
    return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
  }

  /**
   * Istio's tcp-echo task with its own files: tcp-echo-all-v1.yaml sends every connection to v1
   * ("one ..."), then tcp-echo-20-v2.yaml 20% of them to v2 ("two ..."), through the gateway's
   * port 31400. 1,000 connections, within 5 points of 20%.
   */
  @Test
  void istiosTcpEchoSamplesShiftTwentyPercentOfConnectionsToV2() throws Exception {
    ProxyOptions options = f.options().withGateways(Set.of()).withSourceLabels(Map.of("istio", "ingressgateway"))
        .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(31400, 0), null));
    Fixture echo = new Fixture();
    try {
      echo.start(options);
      List<ServiceInstance> tcpEcho = new ArrayList<>();
      for (String[] v : new String[][] {{"v1", "one"}, {"v2", "two"}}) {
        // As Istio's tcp-echo app: each line comes back prefixed with the version's word.
        NetServer server = Fixture.await(echo.vertx.createNetServer().connectHandler(sock -> sock.handler(
            io.vertx.core.parsetools.RecordParser.newDelimited("\n", line -> sock.write(v[1] + " " + line + "\n"))))
            .listen(0, "127.0.0.1"));
        tcpEcho.add(new ServiceInstance("tcp-echo", "default", "tcp-echo.default.svc.cluster.local", "127.0.0.1",
            List.of(new ServicePort("tcp", 9000, server.actualPort(), "TCP")), Map.of("app", "tcp-echo", "version", v[0]),
            "default", "test"));
      }
      Fixture.await(echo.proxy.apply(new ProxySnapshot("1", Samples.istio("tcp-echo/tcp-echo-all-v1.yaml"), tcpEcho)));
      int port = echo.proxy.gatewayPort(31400);
      Map<String, Integer> seen = countReplies(port, 50);
      assertEquals(Map.of("one", 50), seen, "all-v1: every connection to v1");

      List<io.mizzen.spi.config.Resource> shifted = new ArrayList<>(Samples.istio("tcp-echo/tcp-echo-all-v1.yaml"));
      shifted.removeIf(r -> r.kind().equals("VirtualService"));
      shifted.addAll(Samples.istio("tcp-echo/tcp-echo-20-v2.yaml"));
      Fixture.await(echo.proxy.apply(new ProxySnapshot("2", shifted, tcpEcho)));
      seen = countReplies(port, 1000);
      int two = seen.getOrDefault("two", 0);
      assertEquals(1000, seen.getOrDefault("one", 0) + two, String.valueOf(seen));
      assertTrue(two >= 150 && two <= 250, "20% of 1,000 connections to v2, within 5 points: " + seen);
    } finally {
      echo.close();
    }
  }

  /** Opens {@code n} connections one after the other, sends a line on each, counts the replies' first words. */
  private static Map<String, Integer> countReplies(int port, int n) throws Exception {
    Map<String, Integer> seen = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.getOutputStream().write(("hello " + i + "\n").getBytes(StandardCharsets.UTF_8));
        String line = firstLine(s);
        assertTrue(line != null && line.endsWith(" hello " + i), "connection " + i + " answered " + line);
        seen.merge(line.substring(0, line.indexOf(' ')), 1, Integer::sum);
      }
    }
    return seen;
  }

  @Test
  void weightedRouteAndMetrics() throws Exception {
    int port = f.proxy.gatewayPort(31400);
    Map<String, Integer> seen = new HashMap<>();
    int n = 400;
    for (int i = 0; i < n; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        seen.merge(firstLine(s), 1, Integer::sum);
      }
    }
    int a = seen.getOrDefault("echo-a", 0);
    assertEquals(n, a + seen.getOrDefault("echo-b", 0), seen.toString());
    assertTrue(Math.abs(a * 100.0 / n - 75) <= 8, "75/25 within ±8%: " + seen);
    String metrics = f.proxy.tcpStats().render();
    assertTrue(metrics.contains("istio_tcp_connections_opened_total{reporter=\"source\",destination_service=\"echo-a.default.svc.cluster.local\",destination_cluster=\"outbound|9000||echo-a.default.svc.cluster.local\"} " + a),
        metrics);
    assertTrue(metrics.contains("istio_tcp_received_bytes_total{reporter=\"source\",destination_service=\"echo-a.default.svc.cluster.local\""), metrics);
  }

  @Test
  void subnetMatchesAndConnectionLimit() throws Exception {
    int port = f.proxy.gatewayPort(31500);
    try (Socket first = new Socket("127.0.0.1", port)) {
      assertEquals("echo-c", firstLine(first), "source 127.0.0.1 is not in 10.0.0.0/8; the destination is in 127.0.0.0/8");
      try (Socket second = new Socket("127.0.0.1", port)) {
        second.setSoTimeout(20_000);
        assertEquals(-1, second.getInputStream().read(), "maxConnections 1: the second connection is closed");
      }
      OutputStream out = first.getOutputStream();
      out.write("still here\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      byte[] back = first.getInputStream().readNBytes(11);
      assertEquals("still here\n", new String(back, StandardCharsets.UTF_8));
    }
  }

  @Test
  void largeTransferBothWaysWithBackPressure() throws Exception {
    int port = f.proxy.gatewayPort(31400);
    byte[] chunk = new byte[64 * 1024];
    new java.util.Random(7).nextBytes(chunk);
    int chunks = 256; // 16 MiB each way
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      InputStream in = s.getInputStream();
      String name = firstLine(s);
      assertTrue(name.startsWith("echo-"), name);
      MessageDigest sent = MessageDigest.getInstance("SHA-256");
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          OutputStream out = s.getOutputStream();
          for (int i = 0; i < chunks; i++) {
            out.write(chunk);
          }
          out.flush();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      for (int i = 0; i < chunks; i++) {
        sent.update(chunk);
      }
      MessageDigest received = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      while (total < (long) chunks * chunk.length) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, (long) chunks * chunk.length - total));
        assertTrue(r > 0, "stream ended after " + total + " bytes");
        received.update(buf, 0, r);
        total += r;
      }
      writer.get(60, TimeUnit.SECONDS);
      assertEquals(java.util.HexFormat.of().formatHex(sent.digest()), java.util.HexFormat.of().formatHex(received.digest()),
          "every byte came back in order");
    }
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    f.close();
    instances.clear();
    start(Duration.ofMillis(500));
    try (Socket s = new Socket("127.0.0.1", f.proxy.gatewayPort(31400))) {
      // Whatever the echo said first (under load the timeout may even come before it), the
      // proxy must end the connection by itself, well before our 20 s read timeout.
      s.setSoTimeout(20_000);
      String all = Fixture.readAll(s.getInputStream());
      assertTrue(!all.endsWith("<timeout>") && (all.isEmpty() || all.startsWith("echo-")), all);
    }
  }
}
