package io.mizzen.proxy.tls;

import static io.mizzen.proxy.tls.Sidecars.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.OneLoop;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sidecar's inbound under mutual TLS chooses the protocol by ALPN: h2 for a client offering
 * it, HTTP/1.1 for a client offering only http/1.1 or no ALPN at all (an older sidecar, {@code curl
 * --http1.1}); either way the client certificate is the caller's identity. Clients are Vert.x
 * HTTP clients with a mesh certificate, straight at the inbound.
 */
class MeshInboundAlpnTest {
  private Sidecars mesh;
  private Sidecars.Sidecar reviews;

  @BeforeEach
  void start() throws Exception {
    mesh = new Sidecars();
    reviews = mesh.start("reviews");
    mesh.apply(List.of());
  }

  @AfterEach
  void stop() {
    mesh.close();
  }

  /** A client presenting {@code credentials}, trusting the mesh root; h2 offered by ALPN or not at all. */
  private HttpClient client(WorkloadCredentials credentials, HttpVersion version, boolean alpn) throws Exception {
    return mesh.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(alpn).setProtocolVersion(version)
        .setVerifyHost(false)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(mesh.mesh.rootPem())))
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(Buffer.buffer(credentials.certificateChainPem()))
            .setKeyValue(Buffer.buffer(credentials.privateKeyPem()))));
  }

  /** A GET to reviews' inbound: the protocol of the response, its status, body and the server certificate's serial. */
  private String[] get(HttpClient client) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(reviews.proxy().inboundPort(), "127.0.0.1"))
        .setHost("reviews").setPort(9080).setURI("/").setTimeout(20_000);
    try {
      return await(OneLoop.run(mesh.vertx, () -> client.request(o).compose(r -> r.send())
          .compose(resp -> resp.body().map(b -> new String[] {resp.version().toString(), Integer.toString(resp.statusCode()),
              b.toString(), serial(resp.request().connection())}))));
    } finally {
      await(client.close());
    }
  }

  /** The server certificate's serial, hex; {@code -} on plain text. */
  private static String serial(io.vertx.core.http.HttpConnection connection) {
    if (!connection.isSsl()) {
      return "-";
    }
    try {
      return ((X509Certificate) connection.peerCertificates().get(0)).getSerialNumber().toString(16);
    } catch (Exception e) {
      throw new AssertionError("no server certificate: " + e, e);
    }
  }

  @Test
  void aClientOfferingH2GetsHttp2AndIsKnownByItsCertificate() throws Exception {
    String[] reply = get(client(mesh.mesh.workload("bookinfo-productpage"), HttpVersion.HTTP_2, true));
    assertEquals("HTTP_2", reply[0], String.join(" ", reply));
    assertEquals("200", reply[1], reply[2]);
    assertTrue(reply[2].contains("cluster.local/ns/default/sa/bookinfo-productpage"), reply[2]);
    String metrics = mesh.metricsOnceCounted("reviews", "istio_requests_total{", "connection_security_policy=\"mutual_tls\"");
    assertTrue(metrics.contains("source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-productpage\""), metrics);
  }

  /** A client offering only http/1.1 ({@code alpn}), or no ALPN at all, is served HTTP/1.1. */
  @ParameterizedTest(name = "offers ALPN http/1.1: {0}")
  @ValueSource(booleans = {true, false})
  void aClientOfferingOnlyHttp11OrNoAlpnIsServedHttp11(boolean alpn) throws Exception {
    String[] reply = get(client(mesh.mesh.workload("bookinfo-productpage"), HttpVersion.HTTP_1_1, alpn));
    assertEquals("HTTP_1_1", reply[0], String.join(" ", reply));
    assertEquals("200", reply[1], reply[2]);
    assertTrue(reply[2].contains("cluster.local/ns/default/sa/bookinfo-productpage"), reply[2]);
  }

  @Test
  void afterARotationNewH2ConnectionsGetTheNewCertificate() throws Exception {
    WorkloadCredentials caller = mesh.mesh.workload("bookinfo-productpage");
    String[] before = get(client(caller, HttpVersion.HTTP_2, true));
    assertEquals("HTTP_2", before[0]);
    WorkloadCredentials next = mesh.mesh.workload("bookinfo-reviews");
    reviews.certificates().renew(next);
    String[] after = get(client(caller, HttpVersion.HTTP_2, true));
    assertEquals("HTTP_2", after[0], String.join(" ", after));
    assertEquals("200", after[1], after[2]);
    assertEquals(new BigInteger(next.serial(), 16).toString(16), after[3]);
    assertTrue(!before[3].equals(after[3]), before[3]);
  }

  @Test
  void plainTextH2cStillWorksUnderPermissive() {
    HttpClient h2c = mesh.vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String[] reply = get(h2c);
    assertEquals("HTTP_2", reply[0], String.join(" ", reply));
    assertEquals("200", reply[1], reply[2]);
  }
}
