package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.proxy.capture.OriginalDestination;
import io.vertx.core.http.HttpServer;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound listener under capture: the kernel's conntrack table is outside the system, so a
 * table answering "this connection was dialled to X" stands in for it; the proxy, the client and
 * the upstreams are real.
 */
class CaptureRoutingTest {
  private Fixture f;
  private HttpServer dialled;
  private HttpServer web;
  private final LinkedBlockingQueue<InetSocketAddress> looked = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    f = new Fixture();
    dialled = f.named("dialled");
    web = f.named("web");
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void start(OriginalDestination table) {
    f.start(f.options().withOriginalDestination(table));
    new Mesh(f).instance("web", "v1", web.actualPort()).apply("");
  }

  @Test
  void anUnknownHostIsPassedThroughToWhereTheClientDialled() {
    start(table(Optional.of(new InetSocketAddress("127.0.0.1", 0))));
    Fixture.Reply r = f.get("nowhere.invalid", "/x");
    assertEquals(200, r.status(), r.body());
    // Not the Host header's nowhere.invalid:80 (which resolves nowhere): the captured address.
    assertEquals("dialled GET /x host=nowhere.invalid body=0", r.body());
    assertEquals(1, looked.size(), "one lookup per connection, with the accepted socket's addresses");
  }

  @Test
  void aKnownHostStillRoutesByItsServiceOnTheDialledPort() {
    // The app dialled web's cluster IP on the service port: the route for web:9080 applies.
    start(table(Optional.of(new InetSocketAddress("10.0.0.9", 9080))));
    assertEquals("web", Bookinfo.servedBy(f.get("web:9080", "/")));
  }

  @Test
  void aConnectionTheTableDoesNotKnowFollowsTheHostHeader() {
    start(table(Optional.empty()));
    assertEquals("dialled", Bookinfo.servedBy(f.get("127.0.0.1:" + dialled.actualPort(), "/")));
  }

  @Test
  void aTableThatCannotBeReadFallsBackToTheHostHeader() {
    start(new OriginalDestination() {
      @Override
      public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
        throw new UncheckedIOException(new java.io.IOException("cannot read the conntrack table: test"));
      }

      @Override
      public String unavailableReason() {
        return null;
      }
    });
    assertEquals("dialled", Bookinfo.servedBy(f.get("127.0.0.1:" + dialled.actualPort(), "/")));
  }

  /** A captured connection to {@code port} of 127.0.0.1: what the table answers for every lookup. */
  private OriginalDestination dialledTo(int port) {
    return dialledTo("127.0.0.1", port);
  }

  /** A captured connection to {@code ip:port}: what the table answers for every lookup. */
  private static OriginalDestination dialledTo(String ip, int port) {
    return io.mizzen.proxy.capture.Dialled.to(new InetSocketAddress(ip, port));
  }

  @org.junit.jupiter.api.io.TempDir
  java.nio.file.Path dir;

  /** An HTTPS server for secure.example, and a client trusting its CA that sends that SNI. */
  private io.vertx.core.http.HttpClient tlsSite(int[] port) throws Exception {
    GatewayPki pki = new GatewayPki(dir, "site");
    java.nio.file.Path[] cert = pki.leaf("secure.example", dir.resolve("site"), "cert.pem", "key.pem");
    HttpServer site = Fixture.await(f.vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setSsl(true)
            .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(cert[0].toString()).setKeyPath(cert[1].toString())))
        .requestHandler(req -> req.response().end("secure saw " + req.getHeader("host")))
        .listen(0, "127.0.0.1"));
    port[0] = site.actualPort();
    return f.vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setSsl(true).setForceSni(true)
        .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(pki.caPem.toString())));
  }

  private io.vertx.core.Future<String> getTls(io.vertx.core.http.HttpClient client) {
    io.vertx.core.http.RequestOptions o = new io.vertx.core.http.RequestOptions().setHost("secure.example").setPort(443)
        .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(f.proxy.outboundPort(), "127.0.0.1"))
        .setURI("/").setTimeout(10_000);
    return OneLoop.run(f.vertx, () -> client.request(o).compose(r -> r.send()).compose(r -> r.body().map(b -> b.toString())));
  }

  @Test
  void tlsFromTheAppPassesThroughToWhereItDialledNotParsedAsHttp() throws Exception {
    int[] port = new int[1];
    io.vertx.core.http.HttpClient client = tlsSite(port);
    f.start(f.options().withOriginalDestination(dialledTo(port[0])));
    new Mesh(f).instance("web", "v1", web.actualPort()).apply("");
    assertEquals("secure saw secure.example", Fixture.await(getTls(client)),
        "the app's own TLS, end to end, through the sidecar");
  }

  @Test
  void underRegistryOnlyTlsGoesOutOnlyToAServiceEntrysHost() throws Exception {
    int[] port = new int[1];
    io.vertx.core.http.HttpClient client = tlsSite(port);
    f.start(f.options().withOriginalDestination(dialledTo(port[0])));
    String registryOnly = "apiVersion: networking.istio.io/v1alpha3\nkind: Sidecar\nmetadata: {name: default, namespace: default}\n"
        + "spec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n";
    new Mesh(f).instance("web", "v1", web.actualPort()).apply(registryOnly);
    Throwable refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> Fixture.await(getTls(client)));
    org.junit.jupiter.api.Assertions.assertTrue(refused.getCause() != null, String.valueOf(refused));
    new Mesh(f).instance("web", "v1", web.actualPort()).apply(registryOnly + "---\n"
        + "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata: {name: secure, namespace: default}\n"
        + "spec:\n  hosts: [secure.example]\n  ports: [{number: " + port[0] + ", name: tls, protocol: TLS}]\n");
    assertEquals("secure saw secure.example", Fixture.await(getTls(client)), "the ServiceEntry's host goes out");
  }

  @Test
  void aProtocolWhoseServerSpeaksFirstAndBytesNoRequestStartsWithAreRelayed() throws Exception {
    io.vertx.core.net.NetServer smtp = Fixture.await(f.vertx.createNetServer().connectHandler(s -> {
      s.write("220 mail ready\r\n");
      s.handler(b -> s.write(b));
    }).listen(0, "127.0.0.1"));
    f.start(f.options().withOriginalDestination(dialledTo(smtp.actualPort())));
    new Mesh(f).instance("web", "v1", web.actualPort()).apply("");
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.proxy.outboundPort())) {
      s.setSoTimeout(10_000);
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII));
      // The app says nothing: after the detection time the bytes flow, the server's first.
      assertEquals("220 mail ready", in.readLine());
      s.getOutputStream().write("ehlo me\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      assertEquals("ehlo me", in.readLine(), "lower-case: no HTTP method, relayed");
    }
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.proxy.outboundPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(new byte[] {0, 1, 2, 'x', '\n'});
      byte[] greeting = s.getInputStream().readNBytes(16);
      assertEquals("220 mail ready\r\n", new String(greeting, java.nio.charset.StandardCharsets.US_ASCII));
      assertEquals("000102780a", java.util.HexFormat.of().formatHex(s.getInputStream().readNBytes(5)), "binary bytes relayed as sent");
    }
  }

  @Test
  void aMeshTcpRouteSendsACapturedNonHttpConnectionToItsServicesEndpoints() throws Exception {
    io.vertx.core.net.NetServer db = Fixture.await(f.vertx.createNetServer()
        .connectHandler(s -> s.handler(b -> s.write(io.vertx.core.buffer.Buffer.buffer("db:").appendBuffer(b))))
        .listen(0, "127.0.0.1"));
    // The app dialled the service's cluster IP (nothing answers there): the tcp rule decides.
    f.start(f.options().withOriginalDestination(dialledTo("10.96.0.77", 27017)));
    Mesh mesh = new Mesh(f).instance("web", "v1", web.actualPort());
    mesh.instances.add(new io.mizzen.spi.discovery.ServiceInstance("db", "default", "db.default.svc.cluster.local", "127.0.0.1",
        java.util.List.of(new io.mizzen.spi.discovery.ServicePort("mongo", 27017, db.actualPort(), "MONGO")),
        java.util.Map.of("app", "db"), "default", "test"));
    mesh.apply("""
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: db, namespace: default}
        spec:
          hosts: [db]
          tcp:
          - match: [{port: 27017}]
            route: [{destination: {host: db, port: {number: 27017}}}]
        """);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", f.proxy.outboundPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(new byte[] {0x3a, 0, 0, 0, 'q'});
      assertEquals("db:", new String(s.getInputStream().readNBytes(3), java.nio.charset.StandardCharsets.US_ASCII),
          "the tcp rule sent it to db's endpoint, not to the cluster IP dialled");
      assertEquals("3a00000071", java.util.HexFormat.of().formatHex(s.getInputStream().readNBytes(5)));
    }
  }

  /** Answers {@code answer}, with port 0 standing for the "dialled" upstream's port. */
  private OriginalDestination table(Optional<InetSocketAddress> answer) {
    return new OriginalDestination() {
      @Override
      public Optional<InetSocketAddress> lookup(InetSocketAddress peer, InetSocketAddress local) {
        looked.add(local);
        return answer.map(a -> a.getPort() == 0 ? new InetSocketAddress(a.getAddress(), dialled.actualPort()) : a);
      }

      @Override
      public String unavailableReason() {
        return null;
      }
    };
  }
}
