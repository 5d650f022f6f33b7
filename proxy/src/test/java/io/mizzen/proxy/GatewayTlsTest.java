package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway TLS with real handshakes: SIMPLE from file paths, MUTUAL from a credentialName folder
 * (client certificate required), several servers on one port chosen by SNI, httpsRedirect, and
 * PASSTHROUGH routed by SNI to a backend that terminates TLS itself. Vert.x clients with SNI, plus
 * curl and openssl when they are installed.
 */
class GatewayTlsTest {
  @TempDir
  Path dir;
  private Fixture f;
  private GatewayPki pki;
  private final List<ServiceInstance> instances = new ArrayList<>();
  private final List<HttpClient> clients = new ArrayList<>();
  private Path[] clientCert;
  /** Pins: the client's SPKI and certificate hash; pinned.example pins another client's key. */
  private String clientSpki;
  private String clientHash;
  private String pinnedSpki;
  private static final String OTHER_SPKI = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  private Path[] webCert;

  @BeforeEach
  void start() throws Exception {
    pki = new GatewayPki(dir, "edge");
    // The SIMPLE server's key in SEC1 (BEGIN EC PRIVATE KEY), as cert-manager writes keys.
    webCert = pki.leaf("web.example", dir.resolve("web"), "cert.pem", "key.pem", true);
    assertTrue(Files.readString(webCert[1]).contains("BEGIN EC PRIVATE KEY"), Files.readString(webCert[1]));
    pki.leaf("api.example", dir.resolve("credentials/api-cred"), "tls.crt", "tls.key");
    Files.copy(pki.caPem, dir.resolve("credentials/api-cred/ca.crt"));
    pki.leaf("strict.example", dir.resolve("credentials/strict-cred"), "tls.crt", "tls.key");
    Files.copy(pki.caPem, dir.resolve("credentials/strict-cred/ca.crt"));
    for (String pinned : List.of("pinned", "hashed")) {
      pki.leaf(pinned + ".example", dir.resolve("credentials/" + pinned + "-cred"), "tls.crt", "tls.key");
      Files.copy(pki.caPem, dir.resolve("credentials/" + pinned + "-cred/ca.crt"));
    }
    clientCert = pki.leaf("client.example", dir.resolve("client"), "cert.pem", "key.pem");
    Path[] otherClient = pki.leaf("other.example", dir.resolve("other"), "cert.pem", "key.pem");
    // The pins as Istio's docs write them: base64 of the SHA-256 of the SubjectPublicKeyInfo, and
    // the SHA-256 of the whole certificate in colon-separated hex.
    X509Certificate client = pem(clientCert[0]);
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    clientSpki = java.util.Base64.getEncoder().encodeToString(sha.digest(client.getPublicKey().getEncoded()));
    clientHash = java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha.digest(client.getEncoded()));
    pinnedSpki = java.util.Base64.getEncoder().encodeToString(sha.digest(pem(otherClient[0]).getPublicKey().getEncoded()));
    Path[] backendCert = pki.leaf("secure.pass.example", dir.resolve("backend"), "cert.pem", "key.pem");

    f = new Fixture();
    f.start(f.options().withGateways(Set.of()).withSourceLabels(Map.of("istio", "ingressgateway"))
        .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(80, 0, 443, 0, 8443, 0, 9443, 0), dir.resolve("credentials"))));
    io.vertx.core.net.NetServer echo = Fixture.await(f.vertx.createNetServer()
        .connectHandler(sock -> sock.handler(b -> sock.write(Buffer.buffer("echo ").appendBuffer(b)))).listen(0, "127.0.0.1"));
    instances.add(new ServiceInstance("echo", "default", "echo.default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("tcp", 9000, echo.actualPort(), "TCP")), Map.of("app", "echo"), "default", "test"));
    instances.add(GatewayListenerTest.instance("web", f.named("web").actualPort()));
    instances.add(GatewayListenerTest.instance("api", f.named("api").actualPort()));
    HttpServer tlsBackend = Fixture.await(f.vertx.createHttpServer(new HttpServerOptions().setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(backendCert[0].toString()).setKeyPath(backendCert[1].toString())))
        .requestHandler(req -> req.response().end("backend " + req.getHeader("host")))
        .listen(0, "127.0.0.1"));
    instances.add(new ServiceInstance("secure", "default", "secure.default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("tls", 443, tlsBackend.actualPort(), "TLS")), Map.of("app", "secure"), "default", "test"));
    apply("1", webCert[0].toString());
  }

  @AfterEach
  void stop() {
    clients.forEach(HttpClient::close);
    f.close();
  }

  private Future<Void> applyFuture(String version, String webCertPath) {
    String yaml = """
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: edge}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https-web, protocol: HTTPS}
            hosts: [web.example]
            tls: {mode: SIMPLE, serverCertificate: %s, privateKey: %s, minProtocolVersion: TLSV1_3}
          - port: {number: 443, name: https-api, protocol: HTTPS}
            hosts: [api.example]
            tls: {mode: MUTUAL, credentialName: api-cred, subjectAltNames: [client.example], verifyCertificateSpki: ["%s"]}
          - port: {number: 443, name: https-strict, protocol: HTTPS}
            hosts: [strict.example]
            tls: {mode: MUTUAL, credentialName: strict-cred, subjectAltNames: [someone.else]}
          - port: {number: 443, name: https-pinned, protocol: HTTPS}
            hosts: [pinned.example]
            tls: {mode: MUTUAL, credentialName: pinned-cred, verifyCertificateSpki: ["%s"]}
          - port: {number: 443, name: https-hashed, protocol: HTTPS}
            hosts: [hashed.example]
            tls: {mode: MUTUAL, credentialName: hashed-cred, verifyCertificateSpki: ["%s"], verifyCertificateHash: ["%s"]}
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [web.example]
            tls: {httpsRedirect: true}
          - port: {number: 80, name: http-api, protocol: HTTP}
            hosts: [api.example]
          - port: {number: 8443, name: tls-pass, protocol: TLS}
            hosts: ["*.pass.example"]
            tls: {mode: PASSTHROUGH}
          - port: {number: 9443, name: tls-tcp, protocol: TLS}
            hosts: [web.example]
            tls: {mode: SIMPLE, serverCertificate: %s, privateKey: %s}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: sites}
        spec:
          hosts: [web.example, api.example, strict.example, pinned.example, hashed.example]
          gateways: [edge]
          http:
          - match: [{uri: {prefix: /scheme}, scheme: {exact: https}}]
            directResponse: {status: 200, body: {string: https}}
          - match: [{uri: {prefix: /scheme}}]
            directResponse: {status: 200, body: {string: plain}}
          - match: [{authority: {prefix: web.example}}]
            route: [{destination: {host: web}}]
          - route: [{destination: {host: api}}]
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: tcp-over-tls}
        spec:
          hosts: [web.example]
          gateways: [edge]
          tcp:
          - match: [{port: 9443}]
            route: [{destination: {host: echo}}]
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: passthrough}
        spec:
          hosts: ["*.pass.example"]
          gateways: [edge]
          tls:
          - match: [{port: 8443, sniHosts: [secure.pass.example]}]
            route: [{destination: {host: secure, port: {number: 443}}}]
        """.formatted(webCertPath, webCert[1], clientSpki, pinnedSpki, OTHER_SPKI, clientHash, webCert[0], webCert[1]);
    return f.proxy.apply(new ProxySnapshot(version, Samples.parse(yaml, "inline"), instances));
  }

  private void apply(String version, String webCertPath) {
    Fixture.await(applyFuture(version, webCertPath));
  }

  private HttpClient client(boolean withClientCert) {
    HttpClientOptions o = new HttpClientOptions().setSsl(true).setForceSni(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.caPem.toString()));
    if (withClientCert) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(clientCert[0].toString()).setKeyPath(clientCert[1].toString()));
    }
    HttpClient c = f.vertx.createHttpClient(o);
    clients.add(c);
    return c;
  }

  private static X509Certificate pem(Path file) throws Exception {
    try (java.io.InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  record TlsReply(int status, String body, String location, String peerName, java.math.BigInteger peerSerial) {}

  private Future<TlsReply> get(HttpClient client, int port, String host, String uri) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri).setHost(host).setPort(port)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setTimeout(20_000);
    return client.request(o).compose(req -> req.send().compose(resp -> resp.body().map(b -> {
      String peer = null;
      java.math.BigInteger serial = null;
      try {
        if (req.connection().isSsl()) {
          X509Certificate served = (X509Certificate) req.connection().sslSession().getPeerCertificates()[0];
          peer = served.getSubjectX500Principal().getName();
          serial = served.getSerialNumber();
        }
      } catch (Exception e) {
        throw new AssertionError("no peer certificate: " + e, e);
      }
      return new TlsReply(resp.statusCode(), b.toString(), resp.getHeader("location"), peer, serial);
    })));
  }

  private static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no answer within 30 s: " + e, e);
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }

  @Test
  void simpleAndMutualServersShareAPortBySni() {
    int port = f.proxy.gatewayPort(443);
    TlsReply web = Fixture.await(get(client(false), port, "web.example", "/a"));
    assertEquals(200, web.status());
    assertTrue(web.body().startsWith("web GET /a"), web.body());
    assertEquals("CN=web.example", web.peerName(), "SNI web.example picked the SIMPLE server's certificate");
    assertEquals("https", Fixture.await(get(client(false), port, "web.example", "/scheme")).body(),
        "scheme matches see https where the gateway terminated TLS");

    HttpClient tls12 = f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setForceSni(true)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.caPem.toString()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(clientCert[0].toString()).setKeyPath(clientCert[1].toString())));
    clients.add(tls12);
    failure(get(tls12, port, "web.example", "/old"));
    assertEquals(200, Fixture.await(get(tls12, port, "api.example", "/b12")).status(),
        "the same TLS 1.2 client is served where minProtocolVersion allows it");

    Throwable refused = failure(get(client(false), port, "api.example", "/b"));
    assertTrue(refused != null, "MUTUAL without a client certificate is refused");
    TlsReply api = Fixture.await(get(client(true), port, "api.example", "/b"));
    assertEquals(200, api.status());
    assertTrue(api.body().startsWith("api GET /b"), api.body());
    assertEquals("CN=api.example", api.peerName(), "SNI api.example picked the MUTUAL server");

    failure(get(client(true), port, "pinned.example", "/"));
    assertEquals(200, Fixture.await(get(client(true), port, "hashed.example", "/h")).status(),
        "a hash pin matches where the SPKI pin does not: either list will do, as in Envoy");

    failure(get(client(true), port, "nobody.example", "/"));
    failure(get(client(true), port, "strict.example", "/"));
    // The refusal is the SAN check, not the handshake: the same client passes where its SAN is listed.
    assertEquals(200, Fixture.await(get(client(true), port, "api.example", "/again")).status());
  }

  @Test
  void alpnChoosesH2ForClientsOfferingIt() {
    HttpClient h2 = f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true).setForceSni(true)
        .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2)
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.caPem.toString())));
    clients.add(h2);
    int port = f.proxy.gatewayPort(443);
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI("/h2").setHost("web.example").setPort(port)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setTimeout(20_000);
    String answer = Fixture.await(h2.request(o).compose(req -> req.send()
        .compose(resp -> resp.body().map(b -> resp.version() + " " + b))));
    assertTrue(answer.startsWith("HTTP_2 web GET /h2"), answer);
    RequestOptions scheme = new RequestOptions(o).setURI("/scheme");
    assertEquals("https", Fixture.await(h2.request(scheme).compose(req -> req.send().compose(resp -> resp.body())))
        .toString(), "an h2 stream over the gateway's TLS has scheme https");
    TlsReply h1 = Fixture.await(get(client(false), port, "web.example", "/h1"));
    assertTrue(h1.body().startsWith("web GET /h1"), "a client without ALPN h2 gets HTTP/1.1: " + h1.body());
  }

  @Test
  void tlsTerminatedHereThenTcpRoutes() {
    io.vertx.core.net.NetClient net = f.vertx.createNetClient(new io.vertx.core.net.NetClientOptions().setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(pki.caPem.toString())).setHostnameVerificationAlgorithm("HTTPS"));
    try {
      io.vertx.core.net.ConnectOptions o = new io.vertx.core.net.ConnectOptions().setHost("web.example")
          .setPort(9443).setRemoteAddress(SocketAddress.inetSocketAddress(f.proxy.gatewayPort(9443), "127.0.0.1"))
          .setSniServerName("web.example").setSsl(true);
      io.vertx.core.Promise<String> got = io.vertx.core.Promise.promise();
      io.vertx.core.net.NetSocket socket = Fixture.await(net.connect(o));
      Buffer seen = Buffer.buffer();
      socket.handler(b -> {
        seen.appendBuffer(b);
        if (seen.toString().equals("echo hello")) {
          got.tryComplete(seen.toString());
        }
      });
      socket.write("hello");
      assertEquals("echo hello", Fixture.await(got.future()));
      socket.close();
    } finally {
      net.close();
    }
  }

  @Test
  void httpsRedirectAnswers301AndOtherHostsStayPlain() {
    int port = f.proxy.gatewayPort(80);
    Fixture.Reply r = f.send(HttpMethod.GET, "web.example", "/path?q=1", Map.of(), null, port);
    assertEquals(301, r.status());
    assertEquals("https://web.example/path?q=1", r.headers().get("location"));
    Fixture.Reply plain = f.send(HttpMethod.GET, "api.example", "/c", Map.of(), null, port);
    assertEquals(200, plain.status(), "a server without httpsRedirect serves plain HTTP");
    assertEquals("plain", f.send(HttpMethod.GET, "api.example", "/scheme", Map.of(), null, port).body());
    assertTrue(plain.body().startsWith("api GET /c"), plain.body());
  }

  @Test
  void passthroughRoutesBySniWithoutTerminating() {
    int port = f.proxy.gatewayPort(8443);
    TlsReply r = Fixture.await(get(client(false), port, "secure.pass.example", "/p"));
    assertEquals(200, r.status());
    assertEquals("backend secure.pass.example:" + port, r.body());
    assertEquals("CN=secure.pass.example", r.peerName(), "the backend's own certificate: the gateway did not terminate");
    failure(get(client(false), port, "other.pass.example", "/p"));
    String metrics = f.proxy.tcpStats().render();
    assertTrue(metrics.contains("istio_tcp_connections_opened_total{reporter=\"source\",destination_service=\"secure.default.svc.cluster.local\""),
        metrics);
  }

  /**
   * A certificate renewed in place (new key and certificate written over the files, as
   * cert-manager does) is served to new connections within a few polls, with no new snapshot.
   */
  @Test
  void aRenewedCertificateIsServedWithoutASnapshot() throws Exception {
    int port = f.proxy.gatewayPort(443);
    java.math.BigInteger before = pem(webCert[0]).getSerialNumber();
    assertEquals(before, Fixture.await(get(client(false), port, "web.example", "/")).peerSerial());
    Path[] renewed = pki.leaf("web.example", dir.resolve("web"), "cert.pem", "key.pem", true);
    java.math.BigInteger after = pem(renewed[0]).getSerialNumber();
    assertTrue(!after.equals(before));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    java.math.BigInteger served = before;
    while (!served.equals(after) && System.nanoTime() < deadline) {
      // A new client each time: a pooled connection would keep the handshake it made.
      served = Fixture.await(f.vertx.timer(200).compose(t -> get(client(false), port, "web.example", "/"))).peerSerial();
    }
    assertEquals(after, served, "the renewed certificate within 30 s (the files are read every 5 s)");
    assertEquals("1", f.proxy.version(), "no snapshot was applied");
  }

  @Test
  void aKeyThatIsNotTheCertificatesRejectsTheSnapshot() throws Exception {
    Path[] other = pki.leaf("web.example", dir.resolve("other-web"), "cert.pem", "key.pem");
    Throwable e = failure(applyFuture("2", other[0].toString()));
    assertTrue(e.getMessage().contains("servers[0].tls.privateKey") && e.getMessage().contains("is not the key of the certificate")
        && e.getMessage().contains(other[0].toString()), e.getMessage());
    assertEquals("1", f.proxy.version(), "the last good snapshot stays");
  }

  @Test
  void aMissingCertificateRejectsTheSnapshotNamingTheServer() {
    Throwable e = failure(applyFuture("2", dir.resolve("missing.pem").toString()));
    assertTrue(e.getMessage().contains("Gateway default/edge servers[0].tls.serverCertificate: cannot read")
        && e.getMessage().contains("missing.pem"), e.getMessage());
    assertEquals("1", f.proxy.version(), "the last good snapshot stays");
    assertEquals(200, Fixture.await(get(client(false), f.proxy.gatewayPort(443), "web.example", "/")).status());
  }

  @Test
  void aPinThatIsNoSha256RejectsTheSnapshotNamingTheField() {
    clientHash = "DF:6C:not-hex";
    Throwable e = failure(applyFuture("2", webCert[0].toString()));
    assertTrue(e.getMessage().contains("servers[4].tls.verifyCertificateHash[0]: 'DF:6C:not-hex' is not a SHA-256"),
        e.getMessage());
    assertEquals("1", f.proxy.version(), "the last good snapshot stays");
  }

  @Test
  void curlAndOpensslAsOutsideClients() throws Exception {
    int port = f.proxy.gatewayPort(443);
    Assumptions.assumeTrue(onPath("curl"), "curl is not installed (Debian package: curl); skipped");
    String body = run(List.of("curl", "-sS", "--max-time", "20", "--resolve", "web.example:" + port + ":127.0.0.1",
        "--cacert", pki.caPem.toString(), "https://web.example:" + port + "/curl"));
    assertTrue(body.startsWith("web GET /curl"), body);
    String mutual = run(List.of("curl", "-sS", "--max-time", "20", "--resolve", "api.example:" + port + ":127.0.0.1",
        "--cacert", pki.caPem.toString(), "--cert", clientCert[0].toString(), "--key", clientCert[1].toString(),
        "https://api.example:" + port + "/m"));
    assertTrue(mutual.startsWith("api GET /m"), mutual);
    Assumptions.assumeTrue(onPath("openssl"), "openssl is not installed (Debian package: openssl); skipped");
    String s = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "web.example",
        "-CAfile", pki.caPem.toString(), "-verify_return_error", "-brief"));
    assertTrue(s.contains("Verification: OK") || s.contains("Verify return code: 0"), s);
    assertTrue(s.contains("web.example"), s);
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command.get(0) + " did not finish within 30 s");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
