package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Gateway server in AUTO_PASSTHROUGH mode, as Istio's multi-network gateways use it: the SNI a
 * sidecar sends, {@code outbound_.<port>_.<subset>_.<host>}, names the service port and subset,
 * with no VirtualService, and the TLS goes through untouched to an endpoint of that subset. The
 * client is the JDK's TLS socket, given the SNI as raw bytes ({@link EnvoySni}).
 */
class GatewayAutoPassthroughTest {
  @TempDir
  Path dir;
  private Fixture f;
  private GatewayPki pki;
  private final List<HttpServer> backends = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(io.netty.handler.ssl.OpenSsl.isAvailable(), "the backends need netty-tcnative-boringssl-static "
        + "(a build dependency of proxy/) to take Envoy's SNI: " + io.netty.handler.ssl.OpenSsl.unavailabilityCause());
    pki = new GatewayPki(dir, "edge");
    Files.createDirectories(dir.resolve("credentials"));
    f = new Fixture();
    f.start(f.options().withGateways(Set.of()).withSourceLabels(Map.of("istio", "ingressgateway"))
        .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(15443, 0), dir.resolve("credentials"))));
    List<ServiceInstance> instances = new ArrayList<>();
    for (String version : List.of("v1", "v2")) {
      Path[] cert = pki.leaf("secure-" + version + ".example", dir.resolve(version), "cert.pem", "key.pem");
      // OpenSSL (BoringSSL) takes the underscores of Envoy's SNI, as Envoy does; the JDK's TLS
      // server refuses them (illegal_parameter).
      HttpServer backend = Fixture.await(f.vertx.createHttpServer(new HttpServerOptions().setSsl(true)
              .setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions())
              .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert[0].toString()).setKeyPath(cert[1].toString())))
          .requestHandler(req -> req.response().end("secure " + version))
          .listen(0, "127.0.0.1"));
      backends.add(backend);
      instances.add(new ServiceInstance("secure", "default", "secure.default.svc.cluster.local", "127.0.0.1",
          List.of(new ServicePort("tls", 443, backend.actualPort(), "TLS")), Map.of("app", "secure", "version", version),
          "default", "test"));
    }
    String yaml = """
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: cross-network}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 15443, name: tls, protocol: TLS}
            hosts: ["*.local"]
            tls: {mode: AUTO_PASSTHROUGH}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: secure}
        spec:
          host: secure.default.svc.cluster.local
          # Not applied at an AUTO_PASSTHROUGH server: the client's TLS goes through as it came.
          trafficPolicy: {tls: {mode: SIMPLE}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}
        """;
    Fixture.await(f.proxy.apply(new ProxySnapshot("1", Samples.parse(yaml, "inline"), instances)));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void theSniNamesTheSubsetAndTheTlsIsNotTerminated() throws Exception {
    for (String version : List.of("v1", "v2", "v1")) {
      Answer a = get("outbound_.443_." + version + "_.secure.default.svc.cluster.local");
      assertEquals("secure " + version, a.body(), "the subset the SNI names answers");
      assertEquals("CN=secure-" + version + ".example", a.peer(), "the backend's own certificate: the gateway did not terminate");
    }
    // The whole service (no subset) reaches both versions' endpoints, round robin.
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 4; i++) {
      seen.add(get("OUTBOUND_.443_._.secure.default.svc.cluster.local").body());
    }
    assertEquals(Set.of("secure v1", "secure v2"), seen);
    String metrics = f.proxy.tcpStats().render();
    assertTrue(metrics.contains("destination_service=\"secure.default.svc.cluster.local\""), metrics);
  }

  @Test
  void anSniNamingNoClusterClosesTheConnectionAndTheGatewayKeepsServing() throws Exception {
    // A subset without endpoints, a port the service lacks, a host discovery does not know, and a
    // name of another shape: each connection is closed before any byte of TLS comes back.
    for (String sni : List.of("outbound_.443_.v3_.secure.default.svc.cluster.local",
        "outbound_.8443_._.secure.default.svc.cluster.local", "outbound_.443_._.nobody.default.svc.cluster.local",
        "secure.default.svc.cluster.local")) {
      assertThrows(java.io.IOException.class, () -> get(sni), sni);
    }
    assertEquals("secure v2", get("outbound_.443_.v2_.secure.default.svc.cluster.local").body());
  }

  record Answer(String body, String peer) {}

  /**
   * One HTTP/1.1 GET over TLS through the gateway with {@code sni}, trusting the test CA; an
   * IOException when the connection closes before it is answered.
   */
  private Answer get(String sni) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pki.caPem)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", f.proxy.gatewayPort(15443)), 10_000);
      socket.setSoTimeout(10_000);
      SSLParameters params = socket.getSSLParameters();
      params.setServerNames(List.of(new EnvoySni(sni)));
      socket.setSSLParameters(params);
      socket.startHandshake();
      String peer = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: secure\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(out);
      String response = out.toString(StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      return new Answer(response.substring(response.indexOf("\r\n\r\n") + 4), peer);
    }
  }

  /**
   * A host_name SNI of any ASCII, as Envoy sends its cluster names: the JDK's SNIHostName refuses
   * their underscores, but its TLS client writes any SNIServerName as given.
   */
  private static final class EnvoySni extends SNIServerName {
    EnvoySni(String name) {
      super(StandardConstants.SNI_HOST_NAME, name.getBytes(StandardCharsets.US_ASCII));
    }
  }
}
