package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.authz.InboundSecurity;
import io.mizzen.proxy.capture.OriginalDestination;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A sidecar with the mesh's certificates, under transparent capture, in front of an app whose
 * MySQL-like port speaks first: PERMISSIVE lets a plain-text client hear the app once the
 * detection time passes with no TLS, STRICT gives a plain-text client nothing from the app
 * before it refuses the connection, and the relay is held to AuthorizationPolicies as Istio holds
 * TCP traffic to them.
 */
class MeshInboundCaptureTest {
  private final Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private MeshProxy proxy;
  private int greeter;
  private int version;

  @BeforeEach
  void start() throws Exception {
    NetServer server = Sidecars.await(vertx.createNetServer().connectHandler(sock -> sock.write("220 ready\r\n"))
        .listen(0, "127.0.0.1"));
    greeter = server.actualPort();
    TestPki pki = new TestPki("mesh");
    WorkloadInfo workload = new WorkloadInfo("db", "default", Map.of("app", "db", "version", "v1"), "db", "127.0.0.1", 0);
    OriginalDestination table = io.mizzen.proxy.capture.Dialled.to(new InetSocketAddress("127.0.0.1", greeter));
    proxy = Sidecars.await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withInbound(0, greeter)
            .withSourceLabels(workload.labels()).withOriginalDestination(table),
        List.of(), MeshTls.create(new HeldCertificates(pki.workload("db"))), Sidecars.TRUST_DOMAIN,
        InboundSecurity.of(vertx, workload, "istio-system", Sidecars.TRUST_DOMAIN, Clock.systemUTC())));
  }

  @AfterEach
  void stop() {
    proxy.close();
    vertx.close();
  }

  private void apply(List<Resource> security) {
    ServiceInstance self = new ServiceInstance("db", "default", "db.default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("mysql", 3306, greeter, "")), Map.of("app", "db", "version", "v1"), "db", "test");
    Sidecars.await(proxy.apply(new ProxySnapshot(Integer.toString(++version), security, List.of(self))));
  }

  @Test
  void permissiveLetsAPlainClientHearAServerThatSpeaksFirst() throws Exception {
    apply(List.of());
    try (Socket s = connect()) {
      assertEquals("220 ready\r\n", read(s.getInputStream(), 11));
    }
  }

  /** The namespace's PeerAuthentication in {@code mode}. */
  private static Resource peerAuthentication(String mode) {
    return Sidecars.resource("""
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata: {name: default, namespace: default}
        spec:
          mtls: {mode: %s}
        """.formatted(mode));
  }

  @Test
  void disableTakesPlainTextAndSoSilenceToo() throws Exception {
    apply(List.of(peerAuthentication("DISABLE")));
    try (Socket s = connect()) {
      assertEquals("220 ready\r\n", read(s.getInputStream(), 11));
    }
  }

  @Test
  void strictGivesAPlainClientNothingFromTheAppAndClosesIt() throws Exception {
    apply(List.of(peerAuthentication("STRICT")));
    try (Socket s = connect()) {
      // Well past the detection time: under STRICT silence is not taken as plain text.
      s.setSoTimeout(500);
      assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "nothing from the app");
      s.setSoTimeout(10_000);
      s.getOutputStream().write("hello\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertEquals("", read(s.getInputStream(), -1), "closed without a word");
    }
  }

  /** The AuthorizationPolicy {@code spec} (YAML lines under {@code spec:}) for db. */
  private static Resource policy(String spec) {
    return Sidecars.resource("apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\n"
        + "metadata: {name: db, namespace: default}\nspec:\n" + spec);
  }

  /** What a plain-text client from 127.0.0.1 hears: the app's greeting, or nothing (closed). */
  private String heard() throws IOException {
    try (Socket s = connect()) {
      return read(s.getInputStream(), 11);
    } catch (java.net.SocketException reset) {
      return ""; // refused: closed (a reset is a close too)
    }
  }

  @Test
  void theRelayIsHeldToAuthorizationPoliciesAsIstioHoldsTcp() throws Exception {
    String greeting = "220 ready\r\n";
    apply(List.of(policy("  rules:\n  - from:\n    - source: {namespaces: [default]}\n")));
    assertEquals("", heard(), "no mutual TLS, so no namespace: the ALLOW rule does not match");
    apply(List.of(policy("  rules:\n  - from:\n    - source: {ipBlocks: [127.0.0.1/32]}\n")));
    assertEquals(greeting, heard(), "the client's address matches");
    apply(List.of(policy("  rules:\n  - from:\n    - source: {ipBlocks: [127.0.0.1/32]}\n"
        + "    to:\n    - operation: {methods: [GET]}\n")));
    assertEquals("", heard(), "in an ALLOW policy a rule with an HTTP-only field never matches TCP");
    apply(List.of(policy("  action: DENY\n  rules:\n  - from:\n    - source: {ipBlocks: [127.0.0.1/32]}\n"
        + "    to:\n    - operation: {methods: [GET]}\n")));
    assertEquals("", heard(), "in a DENY policy the HTTP-only field is left out: the address alone denies");
    apply(List.of(policy("  action: DENY\n  rules:\n  - to:\n    - operation: {ports: [\"1\"]}\n")));
    assertEquals(greeting, heard(), "a DENY rule for another port leaves this one open");
    apply(List.of());
    assertEquals(greeting, heard(), "no policy: relayed");
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", proxy.inboundPort()), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Reads {@code n} bytes, or (n = -1) until the proxy closes. */
  private static String read(InputStream in, int n) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[1024];
    while (n < 0 || got.size() < n) {
      int r = in.read(buf);
      if (r < 0) {
        break;
      }
      got.write(buf, 0, r);
    }
    return got.toString(StandardCharsets.US_ASCII);
  }
}
