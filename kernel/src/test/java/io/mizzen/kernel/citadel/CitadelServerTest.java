package io.mizzen.kernel.citadel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mizzen.kernel.agent.identity.CitadelClient;
import io.mizzen.kernel.agent.identity.KeyType;
import io.mizzen.kernel.agent.identity.PendingIdentity;
import io.mizzen.kernel.agent.identity.WorkloadKeys;
import io.mizzen.kernel.citadel.grpc.CitadelServer;
import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSR service over real gRPC and TLS 1.3 on 127.0.0.1, with the real CA plugin. */
class CitadelServerTest {
  static final SpiffeId REVIEWS = SpiffeId.of("cluster.local", "default", "reviews");

  @TempDir Path dir;
  Vertx vertx;
  BouncyCastleAuthority ca;
  TokenStore store;
  CitadelServer server;
  CitadelClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    ca = new BouncyCastleAuthority();
    Await.result(ca.start(CaHost.of(vertx, dir.resolve("ca"))));
    store = TokenStore.inFolder(dir.resolve("tokens"), Clock.systemUTC());
    CsrService service = CsrService.create(vertx, store, ca, "cluster.local", Clock.systemUTC());
    server = Await.result(CitadelServer.start(vertx, service, ca,
        CitadelServer.Options.defaults("cluster.local", "istio-system").withPort("127.0.0.1", 0)));
    client = CitadelClient.create(vertx, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"), ca.rootsPem());
  }

  @AfterEach
  void stop() {
    Await.result(client.close());
    Await.result(server.close());
    Await.result(vertx.close());
  }

  @Test
  void anAgentGetsItsCertificateOverTls() throws Exception {
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    PendingIdentity pending = Await.result(WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256));
    IssuedCertificate issued = Await.result(client.sign(WorkloadKeys.request(token, pending, Clock.systemUTC(), Duration.ofHours(1))));
    var leaf = CsrServiceTest.certificate(issued.certificatePem());
    assertEquals(REVIEWS.uri(), leaf.getSubjectAlternativeNames().iterator().next().get(1));
    assertEquals(pending.keys().getPublic(), leaf.getPublicKey());
    assertEquals(ca.rootsPem(), issued.rootsPem());
  }

  @Test
  void refusalsCrossTheWireWithTheirReason() {
    String token = store.create("default", "ratings", Duration.ofHours(1)).token();
    PendingIdentity asReviews = Await.result(WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256));
    Throwable other = Await.failure(client.sign(WorkloadKeys.request(token, asReviews, Clock.systemUTC(), null)));
    assertEquals(CsrRefusal.IDENTITY_MISMATCH, assertInstanceOf(CsrRefusedException.class, other).reason(), other.toString());
    Throwable unknown = Await.failure(client.sign(WorkloadKeys.request("mzt.000000000000." + "A".repeat(43), asReviews, Clock.systemUTC(), null)));
    assertEquals(CsrRefusal.UNKNOWN_TOKEN, assertInstanceOf(CsrRefusedException.class, unknown).reason(), unknown.toString());
  }

  @Test
  void aClientThatDoesNotTrustTheRootNeverTalksToTheServer() throws Exception {
    BouncyCastleAuthority otherCa = new BouncyCastleAuthority();
    Await.result(otherCa.start(CaHost.of(vertx, dir.resolve("other-ca"))));
    CitadelClient stranger = CitadelClient.create(vertx, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"), otherCa.rootsPem());
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    PendingIdentity pending = Await.result(WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256));
    Throwable failure = Await.failure(stranger.sign(WorkloadKeys.request(token, pending, Clock.systemUTC(), null)));
    assertFalse(failure instanceof CsrRefusedException, "a TLS failure, not a refusal: " + failure);
    Await.result(stranger.close());
  }

  @Test
  void opensslSeesTls13AndTheControlPlaneIdentity() throws Exception {
    assumeTrue(onPath("openssl"), "openssl is not on PATH: install the Debian package 'openssl' to run this test");
    Path root = Files.writeString(dir.resolve("root.pem"), ca.rootsPem().get(0));
    Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-CAfile", root.toString(),
        "-verify_return_error", "-verify_ip", "127.0.0.1", "-alpn", "h2", "-showcerts").redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(out.contains("TLSv1.3"), out);
    assertTrue(out.contains("Verify return code: 0 (ok)"), out);
    assertTrue(out.contains("ALPN protocol: h2"), out);
    Path served = Files.writeString(dir.resolve("served.pem"), out.substring(out.indexOf("-----BEGIN CERTIFICATE-----"),
        out.indexOf("-----END CERTIFICATE-----") + "-----END CERTIFICATE-----".length()) + "\n");
    Process text = new ProcessBuilder("openssl", "x509", "-in", served.toString(), "-noout", "-ext", "subjectAltName").redirectErrorStream(true).start();
    String sans = new String(text.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(text.waitFor(30, TimeUnit.SECONDS));
    assertTrue(sans.contains("URI:spiffe://cluster.local/ns/istio-system/sa/istiod") && sans.contains("DNS:istiod.istio-system.svc")
        && sans.contains("IP Address:127.0.0.1"), sans);

    Process old = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-tls1_2").redirectErrorStream(true).start();
    old.getOutputStream().close();
    String refused = new String(old.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(old.waitFor(30, TimeUnit.SECONDS));
    assertNotEquals(0, old.exitValue(), "TLS 1.2 must be refused: " + refused);
  }

  @Test
  void theServingCertificateIsRenewedAndNewHandshakesUseIt() throws Exception {
    CsrService service = CsrService.create(vertx, store, ca, "cluster.local", Clock.systemUTC());
    CitadelServer.Options shortLived = CitadelServer.Options.defaults("cluster.local", "istio-system").withPort("127.0.0.1", 0);
    CitadelServer renewing = Await.result(CitadelServer.start(vertx, service, ca, new CitadelServer.Options(shortLived.host(),
        shortLived.port(), shortLived.identity(), shortLived.hosts(), Duration.ofSeconds(2))));
    String first = renewing.servingSerial();
    java.util.concurrent.CompletableFuture<String> changed = new java.util.concurrent.CompletableFuture<>();
    long poll = vertx.setPeriodic(50, id -> {
      if (!renewing.servingSerial().equals(first)) {
        changed.complete(renewing.servingSerial());
      }
    });
    String second = changed.get(10, TimeUnit.SECONDS);
    vertx.cancelTimer(poll);
    assertNotEquals(first, second);
    assertEquals(new java.math.BigInteger(second, 16), servedSerial(renewing.port()), "new handshakes get the renewed certificate");

    CitadelClient fresh = CitadelClient.create(vertx, SocketAddress.inetSocketAddress(renewing.port(), "127.0.0.1"), ca.rootsPem());
    String token = store.create("default", "reviews", Duration.ofHours(1)).token();
    PendingIdentity pending = Await.result(WorkloadKeys.prepare(vertx, REVIEWS, KeyType.EC_P256));
    assertEquals(REVIEWS.uri(), CsrServiceTest.certificate(Await.result(fresh.sign(WorkloadKeys.request(token, pending, Clock.systemUTC(), null)))
        .certificatePem()).getSubjectAlternativeNames().iterator().next().get(1));
    Await.result(fresh.close());
    Await.result(renewing.close());
  }

  /** The serial the server presents in a fresh handshake, seen by a plain JDK TLS client trusting the root. */
  private java.math.BigInteger servedSerial(int port) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", CsrServiceTest.certificate(ca.rootsPem().get(0)));
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
    tls.init(null, tmf.getTrustManagers(), null);
    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

}
