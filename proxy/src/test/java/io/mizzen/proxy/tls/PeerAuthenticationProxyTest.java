package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.config.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real inbound held to the mutual-TLS mode its snapshot's PeerAuthentication (or 1.4 MeshPolicy
 * / Policy) resolves to, with productpage's sidecar calling through ISTIO_MUTUAL and a plain-text
 * client from outside the mesh.
 */
class PeerAuthenticationProxyTest {
  private Sidecars mesh;

  @BeforeEach
  void setUp() throws Exception {
    mesh = new Sidecars();
    mesh.start("reviews");
    mesh.start("productpage");
  }

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  /** Istio 1.4's mesh-wide STRICT: a MeshPolicy whose peers ask for mtls. */
  private static Resource meshStrict() {
    return Sidecars.resource("""
        apiVersion: authentication.istio.io/v1alpha1
        kind: MeshPolicy
        metadata:
          name: default
        spec:
          peers:
          - mtls: {}
        """);
  }

  private static Resource peerAuthentication(String namespace, String body) {
    return Sidecars.resource("apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata:\n  name: pa-" + namespace
        + "\n  namespace: " + namespace + "\nspec:\n" + body);
  }

  @Test
  void strictClosesPlainTextAndTakesMutualTls() throws Exception {
    mesh.apply(List.of(peerAuthentication("default", "  mtls:\n    mode: STRICT\n")));
    assertEquals("", mesh.rawPlain("reviews"), "STRICT closes a plain-text connection without an answer");
    String[] viaMesh = mesh.call("productpage", "reviews", "GET");
    assertEquals("200", viaMesh[0], viaMesh[1]);
    assertTrue(viaMesh[1].contains("cluster.local/ns/default/sa/bookinfo-productpage"), viaMesh[1]);
  }

  @Test
  void permissiveByDefaultTakesBothAndANewSnapshotAppliesToNewConnections() throws Exception {
    mesh.apply(List.of());
    assertTrue(mesh.rawPlain("reviews").startsWith("HTTP/1.1 200"), "PERMISSIVE when nothing says");
    assertEquals("200", mesh.call("productpage", "reviews", "GET")[0]);
    mesh.apply(List.of(peerAuthentication("istio-system", "  mtls:\n    mode: STRICT\n")));
    assertEquals("", mesh.rawPlain("reviews"), "mesh-wide STRICT from the root namespace");
    mesh.apply(List.of(peerAuthentication("istio-system", "  mtls:\n    mode: STRICT\n"),
        peerAuthentication("default", "  mtls:\n    mode: PERMISSIVE\n")));
    assertTrue(mesh.rawPlain("reviews").startsWith("HTTP/1.1 200"), "the namespace overrides the mesh");
    assertEquals("200", mesh.call("productpage", "reviews", "GET")[0]);
  }

  @Test
  void disableRefusesMutualTlsAndTakesPlainText() throws Exception {
    mesh.apply(List.of(peerAuthentication("default", "  mtls:\n    mode: DISABLE\n")));
    assertTrue(mesh.rawPlain("reviews").startsWith("HTTP/1.1 200"));
    assertEquals("503", mesh.call("productpage", "reviews", "GET")[0], "the TLS connection is closed");
  }

  @Test
  void aWorkloadSelectorAndItsPortLevelModeOverrideTheNamespace() throws Exception {
    Resource namespaceStrict = peerAuthentication("default", "  mtls:\n    mode: STRICT\n");
    Resource reviewsPort = Sidecars.resource("""
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata:
          name: reviews
          namespace: default
        spec:
          selector:
            matchLabels:
              app: reviews
          mtls:
            mode: STRICT
          portLevelMtls:
            9080:
              mode: PERMISSIVE
        """);
    mesh.apply(List.of(namespaceStrict, reviewsPort));
    assertTrue(mesh.rawPlain("reviews").startsWith("HTTP/1.1 200"), "port 9080 is PERMISSIVE for reviews");
    assertEquals("", mesh.rawPlain("productpage"), "productpage keeps the namespace's STRICT");
  }

  @Test
  void theIstio14MeshPolicyAndPolicyKindsSetTheMode() throws Exception {
    Resource meshPolicy = meshStrict();
    mesh.apply(List.of(meshPolicy));
    assertEquals("", mesh.rawPlain("reviews"), "peers: - mtls: {} is STRICT");
    Resource permissive = Sidecars.resource("""
        apiVersion: authentication.istio.io/v1alpha1
        kind: Policy
        metadata:
          name: default
          namespace: default
        spec:
          peers:
          - mtls:
              mode: PERMISSIVE
        """);
    mesh.apply(List.of(meshPolicy, permissive));
    assertTrue(mesh.rawPlain("reviews").startsWith("HTTP/1.1 200"));
  }

  /**
   * A 1.4 Policy target's ports name the service's port (reviews exposes 9080, named http), by
   * name as by number; a name the service does not have selects nothing.
   */
  @Test
  void anIstio14PolicyTargetSelectsItsServicePortByName() throws Exception {
    Resource strict = meshStrict();
    String targeted = """
        apiVersion: authentication.istio.io/v1alpha1
        kind: Policy
        metadata:
          name: reviews-permissive
          namespace: default
        spec:
          targets:
          - name: reviews
            ports:
            - name: %s
          peers:
          - mtls:
              mode: PERMISSIVE
        """;
    mesh.apply(List.of(strict, Sidecars.resource(targeted.formatted("grpc"))));
    assertEquals("", mesh.rawPlain("reviews"), "a port name reviews does not have: the mesh's STRICT");
    assertEquals(io.mizzen.spi.config.security.PeerAuthentication.Mode.STRICT, mesh.sidecars.get("reviews").security().mode());
    mesh.apply(List.of(strict, Sidecars.resource(targeted.formatted("http"))));
    assertTrue(mesh.rawPlain("reviews").startsWith("HTTP/1.1 200"), "port http selected: PERMISSIVE");
    assertEquals("Policy default/reviews-permissive, service port 9080 (http)",
        mesh.sidecars.get("reviews").security().explainMode().source());
    assertEquals("200", mesh.call("productpage", "reviews", "GET")[0], "mutual TLS still taken");
  }

  @Test
  void aForeignOrExpiredCertificateIsRefusedUnderStrict() throws Exception {
    TestPki foreign = new TestPki("elsewhere");
    mesh.start("ratings", foreign.workload("bookinfo-ratings", Instant.now().minusSeconds(60),
        Instant.now().plus(Duration.ofHours(1)), List.of(mesh.mesh.rootPem())));
    mesh.start("details", mesh.mesh.workload("bookinfo-details", Instant.now().minus(Duration.ofHours(2)),
        Instant.now().minus(Duration.ofHours(1)), List.of(mesh.mesh.rootPem())));
    mesh.apply(List.of(peerAuthentication("default", "  mtls:\n    mode: STRICT\n")));
    assertEquals("503", mesh.call("ratings", "reviews", "GET")[0], "a certificate from another root");
    assertEquals("503", mesh.call("details", "reviews", "GET")[0], "an expired certificate");
    assertEquals("200", mesh.call("productpage", "reviews", "GET")[0]);
  }

  @Test
  void aSnapshotWithABadModeIsRejectedAndTheLastOneStays() throws Exception {
    mesh.apply(List.of(peerAuthentication("default", "  mtls:\n    mode: STRICT\n")));
    var bad = mesh.snapshot(List.of(peerAuthentication("default", "  mtls:\n    mode: SOMETIMES\n")));
    AssertionError e = assertThrows(AssertionError.class, () -> Sidecars.await(mesh.sidecars.get("reviews").proxy().apply(bad)));
    assertTrue(e.getMessage().contains("PeerAuthentication default/pa-default"), e.getMessage());
    assertEquals("", mesh.rawPlain("reviews"), "STRICT still in force");
  }
}
