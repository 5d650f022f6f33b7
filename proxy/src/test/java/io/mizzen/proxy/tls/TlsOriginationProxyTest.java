package io.mizzen.proxy.tls;

import static io.mizzen.proxy.tls.OriginationPki.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.access.ResponseFlag;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS origination from a DestinationRule (Istio's egress "TLS origination" task): a sidecar's
 * outbound in front of real Vert.x TLS servers, with certificates from test CAs in files.
 */
class TlsOriginationProxyTest {
  private static final String HOST = "secure.example.com";
  private final Vertx vertx = io.mizzen.proxy.MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final HttpClient client = vertx.createHttpClient();
  private final List<AccessLogEntry> log = new CopyOnWriteArrayList<>();
  private final List<HttpServer> servers = new ArrayList<>();
  @TempDir
  Path dir;
  private OriginationPki pki;
  private MeshProxy proxy;
  private int version;

  /** A TLS upstream: its port and the TCP connections it accepted. */
  private record Upstream(int port, AtomicInteger connections) {}

  @BeforeEach
  void setUp() throws Exception {
    pki = new OriginationPki(dir);
    proxy = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withAccessLog(log::add)));
  }

  @AfterEach
  void tearDown() {
    await(proxy.close());
    await(vertx.close());
  }

  /** A Vert.x HTTPS server for {@value #HOST} that says what it saw: TLS, SNI and client certificate. */
  private Upstream upstream(boolean requireClientCertificate) throws Exception {
    HttpServerOptions options = pki.serverOptions(HOST, requireClientCertificate);
    AtomicInteger connections = new AtomicInteger();
    HttpServer server = await(vertx.createHttpServer(options)
        .connectionHandler(c -> connections.incrementAndGet())
        .requestHandler(req -> req.response().end("tls=" + req.isSSL() + " sni=" + req.connection().indicatedServerName()
            + " client=" + Sidecars.clientSubject(req)))
        .listen(0, "127.0.0.1"));
    servers.add(server);
    return new Upstream(server.actualPort(), connections);
  }

  private static ServiceInstance instance(String hostname, List<ServicePort> ports) {
    return new ServiceInstance(hostname.substring(0, hostname.indexOf('.')), "default", hostname, "127.0.0.1", ports,
        Map.of(), "default", "test");
  }

  private static Resource rule(Map<String, Object> trafficPolicy) {
    return resource("DestinationRule", "secure", Map.of("host", HOST, "trafficPolicy", trafficPolicy));
  }

  /** {@value #HOST} on port 443 at the upstream, with a DestinationRule whose trafficPolicy.tls is {@code tls}. */
  private Future<Void> route(Upstream upstream, Map<String, Object> tls, ServiceInstance... others) {
    List<ServiceInstance> instances = new ArrayList<>(List.of(others));
    instances.add(instance(HOST, List.of(new ServicePort("http-tls-origination", 443, upstream.port(), "HTTP"))));
    return proxy.apply(new ProxySnapshot(Integer.toString(++version), List.of(rule(Map.of("tls", tls))), instances));
  }

  private String[] get(String host) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(proxy.outboundPort(), "127.0.0.1"))
        .setHost(host).setPort(80).setURI("/").setTimeout(10_000);
    return await(io.mizzen.proxy.OneLoop.run(vertx, () -> client.request(o).compose(r -> r.send()
        .compose(resp -> resp.body().map(b -> new String[] {Integer.toString(resp.statusCode()), b.toString()})))));
  }

  /**
   * A captured connection that is not HTTP, routed by a mesh VirtualService's {@code tcp:} rule:
   * its relay originates the DestinationRule's TLS too, so the TLS echo server sees its bytes.
   */
  @Test
  void aCapturedTcpRelayOriginatesTheRulesTls() throws Exception {
    HttpServerOptions tls = pki.serverOptions(HOST, false);
    io.vertx.core.net.NetServer echo = await(vertx.createNetServer(new io.vertx.core.net.NetServerOptions().setSsl(true)
            .setKeyCertOptions(tls.getKeyCertOptions()))
        .connectHandler(sock -> sock.handler(b -> sock.write(io.vertx.core.buffer.Buffer.buffer("tls echo ").appendBuffer(b))))
        .listen(0, "127.0.0.1"));
    MeshProxy captured = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0)
        .withOriginalDestination(io.mizzen.proxy.capture.Dialled.to(new java.net.InetSocketAddress("10.0.0.9", 443)))));
    try {
      Resource vs = resource("VirtualService", "secure", Map.of("hosts", List.of(HOST),
          "tcp", List.of(Map.of("match", List.of(Map.of("port", 443)), "route", List.of(Map.of("destination", Map.of("host", HOST)))))));
      await(captured.apply(new ProxySnapshot("1", List.of(vs, rule(Map.of("tls", Map.of("mode", "SIMPLE",
          "caCertificates", pki.caFile.toString())))), List.of(instance(HOST, List.of(new ServicePort("tcp", 443, echo.actualPort(), "")))))));
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", captured.outboundPort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(new byte[] {0, 1, 'h', 'i'});
        byte[] got = s.getInputStream().readNBytes(13);
        assertEquals("tls echo \u0000\u0001hi", new String(got, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    } finally {
      await(captured.close());
    }
  }

  @Test
  void simpleWithCaCertificatesOriginatesTlsAndSendsTheHostAsSni() throws Exception {
    Upstream up = upstream(false);
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString())));
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("tls=true"), reply[1]);
    assertTrue(reply[1].contains("sni=" + HOST), reply[1]);
    assertTrue(reply[1].contains("client=none"), reply[1]);
  }

  @Test
  void theSniOfTheRuleReachesTheServer() throws Exception {
    Upstream up = upstream(false);
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString(), "sni", "api.example.org")));
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("sni=api.example.org"), reply[1]);
  }

  @Test
  void aServerCertificateFromAnotherCaAnswers503WithTheHandshakeFailure() throws Exception {
    Upstream up = upstream(false);
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.otherCaFile.toString())));
    String[] reply = get(HOST);
    assertEquals("503", reply[0], reply[1]);
    AccessLogEntry e = logged(x -> x.status() == 503);
    assertTrue(e.has(ResponseFlag.UF), e.toString());
    assertTrue(e.detail().contains("TLS handshake with 127.0.0.1:" + up.port() + " failed"), e.detail());
    assertTrue(e.detail().contains("DestinationRule default/secure: trafficPolicy.tls"), e.detail());
  }

  @Test
  void aFailingEndpointIsLoggedOnceNotPerRequest() throws Exception {
    Upstream up = upstream(false);
    java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.mizzen.proxy.tls");
    List<String> warnings = new CopyOnWriteArrayList<>();
    java.util.logging.Handler handler = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (r.getMessage() != null && r.getMessage().contains("127.0.0.1:" + up.port())) {
          warnings.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(handler);
    try {
      await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.otherCaFile.toString())));
      for (int i = 0; i < 5; i++) {
        assertEquals("503", get(HOST)[0]);
      }
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("TLS handshake with 127.0.0.1:" + up.port() + " failed"), warnings.get(0));
    } finally {
      jul.removeHandler(handler);
    }
  }

  @Test
  void withoutCaCertificatesTheServerIsNotVerifiedAsInIstio14() throws Exception {
    Upstream up = upstream(false);
    await(route(up, Map.of("mode", "SIMPLE")));
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("tls=true"), reply[1]);
  }

  @Test
  void subjectAltNamesMustMatchTheServerCertificate() throws Exception {
    Upstream up = upstream(false);
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString(),
        "subjectAltNames", List.of("other.example.com"))));
    assertEquals("503", get(HOST)[0]);
    AccessLogEntry e = logged(x -> x.status() == 503);
    assertTrue(e.has(ResponseFlag.UF), e.toString());
    assertTrue(e.detail().contains("TLS handshake"), e.detail());
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString(), "subjectAltNames", List.of(HOST))));
    assertEquals("200", get(HOST)[0]);
  }

  @Test
  void mutualPresentsTheClientCertificate() throws Exception {
    Upstream up = upstream(true);
    await(route(up, Map.of("mode", "MUTUAL", "caCertificates", pki.caFile.toString(),
        "clientCertificate", pki.clientCert.toString(), "privateKey", pki.clientKey.toString())));
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("client=CN=mizzen-client"), reply[1]);
  }

  @Test
  void simpleToAServerRequiringAClientCertificateFails() throws Exception {
    Upstream up = upstream(true);
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString())));
    assertEquals("503", get(HOST)[0]);
  }

  @Test
  void aMissingKeyFileRejectsTheRuleByNameWhileOtherRoutesServe() throws Exception {
    Upstream up = upstream(true);
    HttpServer plain = await(vertx.createHttpServer().requestHandler(r -> r.response().end("plain")).listen(0, "127.0.0.1"));
    Path missing = dir.resolve("nowhere.key");
    ServiceInstance other = instance("plain.example.com", List.of(new ServicePort("http", 80, plain.actualPort(), "HTTP")));
    Throwable rejected = awaitFailure(route(up, Map.of("mode", "MUTUAL", "caCertificates", pki.caFile.toString(),
        "clientCertificate", pki.clientCert.toString(), "privateKey", missing.toString()), other));
    String m = rejected.getMessage();
    assertTrue(m.contains("DestinationRule default/secure"), m);
    assertTrue(m.contains("trafficPolicy.tls.privateKey"), m);
    assertTrue(m.contains(missing.toString()), m);
    assertEquals("200", get("plain.example.com")[0]);
    String[] reply = get(HOST);
    assertEquals("503", reply[0], reply[1]);
    AccessLogEntry e = logged(x -> x.status() == 503);
    assertTrue(e.has(ResponseFlag.UF), e.toString());
    assertTrue(e.detail().contains("trafficPolicy.tls.privateKey"), e.detail());
  }

  @Test
  void aGarbageCertificateFileIsRejectedByField() throws Exception {
    Upstream up = upstream(true);
    Path garbage = pki.write("garbage.pem", "not a certificate\n");
    String m = awaitFailure(route(up, Map.of("mode", "MUTUAL", "clientCertificate", garbage.toString(),
        "privateKey", pki.clientKey.toString()))).getMessage();
    assertTrue(m.contains("DestinationRule default/secure: trafficPolicy.tls.clientCertificate"), m);
    assertTrue(m.contains(garbage.toString()), m);
  }

  @Test
  void aKeyThatIsNotTheClientCertificatesIsRejectedByField() throws Exception {
    Upstream up = upstream(true);
    Path otherKey = pki.write("other.key", pki.ca.tlsLeaf("someone")[1]);
    String m = awaitFailure(route(up, Map.of("mode", "MUTUAL", "caCertificates", pki.caFile.toString(),
        "clientCertificate", pki.clientCert.toString(), "privateKey", otherKey.toString()))).getMessage();
    assertTrue(m.contains("DestinationRule default/secure: trafficPolicy.tls.privateKey") && m.contains(otherKey.toString())
        && m.contains("is not the key of the certificate"), m);
  }

  @Test
  void aChangedCaFileIsReadAgainOnTheNextSnapshotAndItsOldConnectionsAreNotReused() throws Exception {
    Upstream up = upstream(false);
    Path bundle = pki.write("bundle.pem", Files.readString(pki.otherCaFile));
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", bundle.toString())));
    assertEquals("503", get(HOST)[0]);
    Files.writeString(bundle, pki.ca.rootPem());
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", bundle.toString())));
    assertEquals("200", get(HOST)[0]);
    // The connection verified under the old bundle is pooled, but not reused under the new one.
    Files.writeString(bundle, Files.readString(pki.otherCaFile));
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", bundle.toString())));
    assertEquals("503", get(HOST)[0]);
  }

  /**
   * A CA bundle renewed in place is taken up with no new snapshot: the files of the settings in
   * force are read again every 5 s, and new connections use the context built from them.
   */
  @Test
  void aCaFileRenewedInPlaceIsTakenUpWithoutASnapshot() throws Exception {
    Upstream up = upstream(false);
    Path bundle = pki.write("renewed.pem", Files.readString(pki.otherCaFile));
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", bundle.toString())));
    assertEquals("503", get(HOST)[0], "the bundle does not hold the upstream's CA yet");
    Files.writeString(bundle, pki.ca.rootPem());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String status = "503";
    while (!status.equals("200") && System.nanoTime() < deadline) {
      await(vertx.timer(200));
      status = get(HOST)[0];
    }
    assertEquals("200", status, "the renewed bundle within 30 s (the files are read every 5 s)");
  }

  @Test
  void originatedConnectionsArePooledAndReused() throws Exception {
    Upstream up = upstream(false);
    await(route(up, Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString())));
    for (int i = 0; i < 20; i++) {
      assertEquals("200", get(HOST)[0]);
    }
    // Sequential requests: one connection per proxy event loop at most.
    assertTrue(up.connections().get() <= 2, "connections: " + up.connections().get());
  }

  @Test
  void disableStaysPlainText() throws Exception {
    HttpServer plain = await(vertx.createHttpServer().requestHandler(r -> r.response().end("tls=" + r.isSSL()))
        .listen(0, "127.0.0.1"));
    await(route(new Upstream(plain.actualPort(), new AtomicInteger()), Map.of("mode", "DISABLE")));
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertEquals("tls=false", reply[1]);
  }

  /**
   * The shape of Istio's egress TLS origination task: the app calls http://host (port 80), a
   * VirtualService sends port 80 to port 443, and the DestinationRule's port-level settings
   * originate TLS on 443.
   */
  @Test
  void egressTaskShapePort80RoutedTo443WithPortLevelSimpleTls() throws Exception {
    Upstream up = upstream(false);
    HttpServer plain = await(vertx.createHttpServer().requestHandler(r -> r.response().end("plain port 80"))
        .listen(0, "127.0.0.1"));
    ServiceInstance entry = instance(HOST, List.of(new ServicePort("http-port", 80, plain.actualPort(), "HTTP"),
        new ServicePort("http-port-for-tls-origination", 443, up.port(), "HTTP")));
    Resource vs = resource("VirtualService", "secure", Map.of("hosts", List.of(HOST), "http", List.of(Map.of(
        "match", List.of(Map.of("port", 80)),
        "route", List.of(Map.of("destination", Map.of("host", HOST, "port", Map.of("number", 443))))))));
    Resource dr = rule(Map.of("loadBalancer", Map.of("simple", "ROUND_ROBIN"), "portLevelSettings", List.of(Map.of(
        "port", Map.of("number", 443), "tls", Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString())))));
    await(proxy.apply(new ProxySnapshot("egress", List.of(vs, dr), List.of(entry))));
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("tls=true"), reply[1]);
    assertTrue(reply[1].contains("sni=" + HOST), reply[1]);
  }

  /**
   * Istio's own sample, verbatim: {@code egress-rule-google-apis.yaml}'s VirtualService (port 80
   * to 443) and DestinationRule (port 443 SIMPLE, no caCertificates); its ServiceEntry is what
   * discovery turns into the instance here, with the two ports at local servers.
   */
  @Test
  void istioEgressSampleOriginatesTlsOnPort443() throws Exception {
    Upstream up = upstream(false);
    HttpServer plain = await(vertx.createHttpServer().requestHandler(r -> r.response().end("plain port 80"))
        .listen(0, "127.0.0.1"));
    String google = "www.googleapis.com";
    List<Resource> resources = new ArrayList<>();
    for (Resource r : io.mizzen.proxy.authz.Yaml.sample("bookinfo/networking/egress-rule-google-apis.yaml")) {
      if (!r.kind().equals("ServiceEntry")) {
        resources.add(new Resource(r.apiVersion(), r.kind(), r.name(), "default", r.labels(), null, r.spec(), r.location()));
      }
    }
    ServiceInstance entry = new ServiceInstance("googleapis", "default", google, "127.0.0.1",
        List.of(new ServicePort("http", 80, plain.actualPort(), "HTTP"), new ServicePort("https", 443, up.port(), "HTTPS")),
        Map.of(), "default", "test");
    await(proxy.apply(new ProxySnapshot("google", resources, List.of(entry))));
    String[] reply = get(google);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("tls=true"), reply[1]);
    assertTrue(reply[1].contains("sni=" + google), reply[1]);
  }

  /** A subset's trafficPolicy.tls replaces the rule's; a bad one is reported under its subset's field path. */
  @Test
  void subsetTlsOverridesTheRulesAndIsReportedByItsPath() throws Exception {
    Upstream up = upstream(false);
    ServiceInstance v1 = new ServiceInstance("secure", "default", HOST, "127.0.0.1",
        List.of(new ServicePort("http-tls-origination", 443, up.port(), "HTTP")), Map.of("version", "v1"), "default", "test");
    Resource vs = resource("VirtualService", "secure", Map.of("hosts", List.of(HOST), "http", List.of(Map.of(
        "route", List.of(Map.of("destination", Map.of("host", HOST, "subset", "good")))))));
    Resource dr = rule(Map.of("tls", Map.of("mode", "SIMPLE", "caCertificates", pki.otherCaFile.toString())));
    Map<String, Object> spec = new java.util.HashMap<>(dr.spec());
    spec.put("subsets", List.of(
        Map.of("name", "good", "labels", Map.of("version", "v1"),
            "trafficPolicy", Map.of("tls", Map.of("mode", "SIMPLE", "caCertificates", pki.caFile.toString()))),
        Map.of("name", "bad", "labels", Map.of("version", "v1"),
            "trafficPolicy", Map.of("tls", Map.of("mode", "MUTUAL", "clientCertificate", pki.clientCert.toString(),
                "privateKey", dir.resolve("absent.key").toString()))),
        Map.of("name", "unused", "labels", Map.of("version", "v1"))));
    Resource withSubsets = resource("DestinationRule", "secure", spec);
    Resource badRoute = resource("VirtualService", "secure-bad", Map.of("hosts", List.of("bad.example.com"), "http",
        List.of(Map.of("route", List.of(Map.of("destination", Map.of("host", HOST, "subset", "bad")))))));
    String m = awaitFailure(proxy.apply(new ProxySnapshot("subsets", List.of(vs, badRoute, withSubsets), List.of(v1))))
        .getMessage();
    assertTrue(m.contains("DestinationRule default/secure: subsets[1].trafficPolicy.tls.privateKey"), m);
    String[] reply = get(HOST);
    assertEquals("200", reply[0], reply[1]);
    assertTrue(reply[1].contains("tls=true"), reply[1]);
  }

  private AccessLogEntry logged(Predicate<AccessLogEntry> which) {
    return Sidecars.logged(vertx, log, which);
  }

  private static <T> T await(Future<T> f) {
    return Sidecars.await(f, 20);
  }

  private static Throwable awaitFailure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError("no outcome: " + e, e);
    }
    throw new AssertionError("the snapshot was accepted");
  }
}
