package io.mizzen.kernel.pilot;

import static io.mizzen.kernel.pilot.ControlPlaneApiTest.mizzen;
import static io.mizzen.kernel.pilot.PilotMesh.WAIT;
import static io.mizzen.kernel.pilot.PilotMesh.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.citadel.TokenStore;
import io.mizzen.kernel.citadel.grpc.CitadelFunction;
import io.mizzen.kernel.pilot.ControlPlaneApiTest.Run;
import io.mizzen.kernel.settings.AgentSettings;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.wire.pilot.CertificateInfo;
import io.mizzen.spi.wire.pilot.Node;
import io.mizzen.spi.wire.pilot.PilotGrpcClient;
import io.mizzen.spi.wire.pilot.PushRequest;
import io.mizzen.spi.wire.pilot.PushSnapshot;
import io.mizzen.spi.wire.pilot.RootInfo;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mizzen proxy-config secret}: a real control plane with Citadel (the BouncyCastle CA from
 * this reactor), real sidecar agents that get their certificates from it and report them over
 * Pilot's push stream, and the CLI against the control plane's API, all on 127.0.0.1.
 */
class ProxyConfigSecretTest {
  @TempDir
  Path home;

  /** A control plane whose Citadel accepts bootstrap tokens for {@code accounts} of namespace default. */
  private Kernel controlPlane(Map<String, Path> tokens, String... accounts) throws Exception {
    return controlPlane(0, tokens, accounts);
  }

  /** As {@link #controlPlane(Map, String...)}, with its push server on {@code grpcPort} (0: any). */
  private Kernel controlPlane(int grpcPort, Map<String, Path> tokens, String... accounts) throws Exception {
    MeshPorts ports = grpcPort == 0 ? MeshPorts.ephemeral() : new MeshPorts(0, 0, 0, 0, 0, grpcPort, 0, 0, 0);
    MeshSettings settings = MeshSettings.defaults(home.resolve("cp")).withPorts(ports)
        .withPluginSettings(Map.of("pilot", Map.of("debounceMillis", 20)));
    // Tokens exist before Citadel reads its store, as in the demo.
    TokenStore store = TokenStore.inFolder(settings.stateDir().resolve("citadel"), Clock.systemUTC());
    for (String sa : accounts) {
      String token = store.create("default", sa, Duration.ofHours(1)).token();
      tokens.put(sa, Files.writeString(Files.createDirectories(home.resolve("tokens")).resolve(sa), token + "\n"));
    }
    return get(Kernel.start(settings, Set.of(Role.CONTROL_PLANE)));
  }

  private Kernel sidecarWithIdentity(Kernel cp, String service, Path token, String ttl) throws Exception {
    int citadelPort = -1;
    for (MeshFunction f : cp.functions()) {
      if (f instanceof CitadelFunction c) {
        citadelPort = c.port();
      }
    }
    assertTrue(citadelPort > 0, "the control plane runs Citadel");
    Path roots = Files.writeString(home.resolve(service + "-roots.pem"),
        String.join("", cp.lookup(CertificateAuthority.class).rootsPem()));
    Map<String, Object> identity = new HashMap<>(Map.of("controlPlane", "127.0.0.1:" + citadelPort,
        "tokenFile", token.toString(), "rootCertFile", roots.toString()));
    if (ttl != null) {
      identity.put("ttl", ttl);
    }
    MeshSettings settings = MeshSettings.defaults(home.resolve(service)).withPorts(MeshPorts.ephemeral())
        .withAgent(new AgentSettings("127.0.0.1:" + PilotMesh.grpcPort(cp), service, "default",
            Map.of("app", service), service, "127.0.0.1", 9080))
        .withPluginSettings(Map.of("citadel-agent", identity));
    return get(Kernel.start(settings, Set.of(Role.SIDECAR)));
  }

  private static String api(Kernel cp) {
    return "127.0.0.1:" + cp.lookup(ControlPlaneApi.Endpoint.class).port();
  }

  /** The leaf the sidecar serves, read from the chain its agent installed. */
  private static X509Certificate leaf(WorkloadCredentials credentials) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(credentials.certificateChainPem().getBytes(StandardCharsets.US_ASCII)));
  }

  /** The row of RESOURCE NAME {@code name} in proxy-config secret's table, split on blanks. */
  private static List<String> row(Run run, String name) {
    return run.out().lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .map(l -> List.of(l.trim().split("\\s+"))).orElse(null);
  }

  private static String serialIn(Run run) {
    List<String> row = row(run, "default");
    // default  Cert  Chain  STATUS  VALID  SERIAL  NOT-AFTER  NOT-BEFORE  SAN
    return row == null ? null : row.get(5);
  }

  @Test
  void secretShowsTheServedCertificatesSerialSanAndExpiryItsRootsAndTheRotatedSerial() throws Exception {
    Map<String, Path> tokens = new HashMap<>();
    Kernel cp = controlPlane(tokens, "reviews", "ratings");
    Kernel reviews = null;
    Kernel ratings = null;
    Kernel plain = null;
    try {
      String api = api(cp);
      reviews = sidecarWithIdentity(cp, "reviews", tokens.get("reviews"), null);
      WorkloadCredentials served = reviews.lookup(WorkloadCertificates.class).current();
      X509Certificate leaf = leaf(served);
      String serial = leaf.getSerialNumber().toString(16);
      assertEquals(served.serial(), serial, "the agent's serial is the chain's");

      String id = "reviews~127.0.0.1~9080.default";
      Run secret = Conditions.awaitValue("the certificate in proxy-config secret", WAIT,
          () -> mizzen("proxy-config", "secret", id, "--control-plane", api), r -> r.out().contains("Cert Chain"));
      assertEquals(0, secret.exit(), secret.err());
      assertTrue(secret.out().lines().findFirst().orElseThrow().matches(
          "RESOURCE NAME\\s+TYPE\\s+STATUS\\s+VALID CERT\\s+SERIAL NUMBER\\s+NOT AFTER\\s+NOT BEFORE\\s+SAN\\s*"), secret.out());
      List<String> row = row(secret, "default");
      assertEquals(List.of("default", "Cert", "Chain", "ACTIVE", "true", serial,
          leaf.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS).toString(),
          leaf.getNotBefore().toInstant().truncatedTo(ChronoUnit.SECONDS).toString(),
          "spiffe://cluster.local/ns/default/sa/reviews"), row, secret.out());
      assertEquals(served.notAfter().truncatedTo(ChronoUnit.SECONDS).toString(), row.get(6), "NOT AFTER is the served leaf's");

      X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
          new ByteArrayInputStream(served.rootsPem().get(0).getBytes(StandardCharsets.US_ASCII)));
      List<String> rootRow = row(secret, "ROOTCA");
      assertNotNull(rootRow, secret.out());
      assertEquals(List.of("ROOTCA", "CA", "ACTIVE", "true", root.getSerialNumber().toString(16),
          root.getNotAfter().toInstant().truncatedTo(ChronoUnit.SECONDS).toString(),
          root.getNotBefore().toInstant().truncatedTo(ChronoUnit.SECONDS).toString(), "-"), rootRow, secret.out());

      // /debug/proxy carries the certificate beside the existing fields, which keep their shape.
      JsonObject debug = new JsonObject(http(api, "/debug/proxy?id=" + id));
      assertTrue(debug.containsKey("status") && debug.containsKey("resources") && debug.containsKey("instances"));
      assertEquals(id, debug.getJsonObject("status").getString("id"));
      JsonObject cert = debug.getJsonObject("certificate");
      assertEquals(serial, cert.getString("serial"));
      assertEquals(leaf.getIssuerX500Principal().getName(), cert.getString("issuer"));
      assertEquals(served.notAfter().truncatedTo(ChronoUnit.SECONDS), Instant.parse(cert.getString("notAfter")));

      // A short-lived certificate is renewed at about half its 2 s, and Pilot hears of each renewal.
      ratings = sidecarWithIdentity(cp, "ratings", tokens.get("ratings"), "2s");
      WorkloadCertificates ratingsCerts = ratings.lookup(WorkloadCertificates.class);
      String first = ratingsCerts.current().serial();
      String ratingsId = "ratings~127.0.0.1~9080.default";
      Run rotated = Conditions.awaitValue("a rotated serial in proxy-config secret, equal to the one served", WAIT,
          () -> mizzen("proxy-config", "secret", ratingsId, "--control-plane", api),
          r -> {
            String shown = serialIn(r);
            return shown != null && !shown.equals(first) && shown.equals(ratingsCerts.current().serial());
          });
      assertTrue(rotated.out().contains("spiffe://cluster.local/ns/default/sa/ratings"), rotated.out());

      // A proxy without an identity reports no certificate, and the command says so.
      plain = PilotMesh.sidecar(home.resolve("plain"), PilotMesh.grpcPort(cp), "details", "default", Map.of(), 9080);
      Conditions.await("the plain proxy connected", WAIT,
          () -> mizzen("proxy-status", "--control-plane", api).out().contains("details~127.0.0.1~9080.default"));
      Run none = mizzen("proxy-config", "secret", "details~127.0.0.1~9080.default", "--control-plane", api);
      assertEquals(0, none.exit(), none.err());
      assertTrue(none.out().contains("has no workload certificate") && none.out().contains("mTLS is off"), none.out());
      assertFalse(none.out().contains("SERIAL NUMBER"), none.out());
      assertTrue(new JsonObject(http(api, "/debug/proxy?id=details~127.0.0.1~9080.default")).containsKey("certificate"));

      Run unknown = mizzen("proxy-config", "secret", "nobody", "--control-plane", api);
      assertEquals(1, unknown.exit());
      assertTrue(unknown.err().contains("no connected proxy 'nobody'"), unknown.err());
    } finally {
      PilotMesh.stop(plain, ratings, reviews, cp);
    }
  }

  /** A new stream's first message carries the certificate: a restarted control plane knows it at once. */
  @Test
  void aRestartedControlPlaneLearnsTheCertificateFromTheNewStreamsFirstMessage() throws Exception {
    int grpcPort = PilotMesh.freePort();
    Map<String, Path> tokens = new HashMap<>();
    Kernel cp = controlPlane(grpcPort, tokens, "reviews");
    Kernel reviews = null;
    try {
      reviews = sidecarWithIdentity(cp, "reviews", tokens.get("reviews"), null);
      String serial = reviews.lookup(WorkloadCertificates.class).current().serial();
      String id = "reviews~127.0.0.1~9080.default";
      String api = api(cp);
      Conditions.await("the certificate at the first control plane", WAIT,
          () -> serial.equals(serialIn(mizzen("proxy-config", "secret", id, "--control-plane", api))));
      get(cp.stop());
      cp = controlPlane(grpcPort, tokens);
      String restarted = api(cp);
      Run secret = Conditions.awaitValue("the certificate at the restarted control plane", WAIT,
          () -> mizzen("proxy-config", "secret", id, "--control-plane", restarted), r -> serialIn(r) != null);
      assertEquals(serial, serialIn(secret), secret.out());
      assertEquals(serial, reviews.lookup(WorkloadCertificates.class).current().serial(), "no renewal meanwhile");
    } finally {
      PilotMesh.stop(reviews, cp);
    }
  }

  /**
   * Wire compatibility: a PushRequest that carries only a certificate is neither an ACK nor a
   * NACK, whether a version is in flight or not; the proxy's acked version and status stay.
   */
  @Test
  void aCertificateOnlyPushRequestChangesNoAckedVersion() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Vertx vertx = Vertx.vertx();
    try {
      String api = api(cp);
      GrpcClient grpc = GrpcClient.client(vertx, new GrpcClientOptions(),
          new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      List<PushSnapshot> received = new CopyOnWriteArrayList<>();
      GrpcClientRequest<PushRequest, PushSnapshot> stream = get(grpc.request(
          SocketAddress.inetSocketAddress(PilotMesh.grpcPort(cp), "127.0.0.1"), PilotGrpcClient.Push));
      stream.response().onSuccess(resp -> resp.handler(received::add));
      String id = "raw~127.0.0.1~0.default";
      get(stream.write(PushRequest.newBuilder().setNode(Node.newBuilder().setId(id).setService("raw")
          .setNamespace("default").setAddress("127.0.0.1").setRole("sidecar")).build()));
      Conditions.await("the first snapshot", WAIT, () -> received.size() == 1);
      String v1 = received.get(0).getVersion();
      get(stream.write(PushRequest.newBuilder().setVersion(v1).build()));
      Conditions.await("v1 acked", WAIT, () -> v1.equals(proxy(api, id).getString("acked")));

      // Not yet reported: proxy-config secret says there is none.
      assertTrue(mizzen("proxy-config", "secret", id, "--control-plane", api).out().contains("has no workload certificate"));

      // An expired certificate, reported alone while nothing is in flight.
      long now = System.currentTimeMillis();
      CertificateInfo expired = CertificateInfo.newBuilder().setSerial("abc123")
          .addSubjectAltNames("spiffe://cluster.local/ns/default/sa/raw")
          .setNotBeforeUnixMs(now - 7_200_000).setNotAfterUnixMs(now - 3_600_000).setIssuer("O=cluster.local")
          .addRoots(RootInfo.newBuilder().setSerial("1").setSubject("O=cluster.local")
              .setNotBeforeUnixMs(now - 7_200_000).setNotAfterUnixMs(now + 3_600_000_000L)).build();
      get(stream.write(PushRequest.newBuilder().setCertificate(expired).build()));
      Run secret = Conditions.awaitValue("the reported certificate", WAIT,
          () -> mizzen("proxy-config", "secret", id, "--control-plane", api), r -> r.out().contains("abc123"));
      assertEquals(List.of("default", "Cert", "Chain", "EXPIRED", "false", "abc123",
          Instant.ofEpochMilli(now - 3_600_000).truncatedTo(ChronoUnit.SECONDS).toString(),
          Instant.ofEpochMilli(now - 7_200_000).truncatedTo(ChronoUnit.SECONDS).toString(),
          "spiffe://cluster.local/ns/default/sa/raw"), row(secret, "default"), secret.out());
      assertEquals(Arrays.asList("ROOTCA", "CA", "ACTIVE", "true"), row(secret, "ROOTCA").subList(0, 4), secret.out());
      JsonObject status = proxy(api, id);
      assertEquals(v1, status.getString("acked"));
      assertEquals(v1, status.getString("sent"));
      assertEquals("SYNCED", status.getString("status"));
      assertEquals("", status.getString("lastError"));
      assertEquals(1, received.size(), "a certificate report triggers no push");

      // A change puts v2 in flight; a certificate report meanwhile neither ACKs nor NACKs it.
      PilotMesh.apply(cp, PilotMesh.virtualService("reviews", "default", "reviews", 3));
      Conditions.await("v2", WAIT, () -> received.size() == 2);
      String v2 = received.get(1).getVersion();
      get(stream.write(PushRequest.newBuilder().setCertificate(expired.toBuilder().setSerial("def456")).build()));
      Conditions.await("the second report", WAIT,
          () -> mizzen("proxy-config", "secret", id, "--control-plane", api).out().contains("def456"));
      status = proxy(api, id);
      assertEquals(v1, status.getString("acked"), status.encode());
      assertEquals(v2, status.getString("sent"));
      assertEquals("STALE", status.getString("status"));
      assertEquals("", status.getString("lastError"));
      assertEquals(2, received.size());

      // The ACK of v2 still counts.
      get(stream.write(PushRequest.newBuilder().setVersion(v2).build()));
      Conditions.await("v2 acked", WAIT, () -> "SYNCED".equals(proxy(api, id).getString("status")));
      assertEquals(v2, proxy(api, id).getString("acked"));
      stream.end();
      get(grpc.close());
    } finally {
      get(vertx.close());
      PilotMesh.stop(cp);
    }
  }

  /** The proxy's entry in /debug/syncz, or an empty object. */
  private static JsonObject proxy(String api, String id) {
    JsonObject syncz = new JsonObject(http(api, "/debug/syncz"));
    return syncz.getJsonArray("proxies").stream().map(JsonObject.class::cast)
        .filter(p -> id.equals(p.getString("id"))).findFirst().orElse(new JsonObject());
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String http(String api, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + api + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
