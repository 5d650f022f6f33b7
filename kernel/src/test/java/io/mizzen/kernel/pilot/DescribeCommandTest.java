package io.mizzen.kernel.pilot;

import static io.mizzen.kernel.pilot.ControlPlaneApiTest.mizzen;
import static io.mizzen.kernel.pilot.PilotMesh.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.discovery.MeshDiscovery;
import io.mizzen.kernel.pilot.ControlPlaneApiTest.Run;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mizzen describe} and {@code GET /debug/describe} against a real control plane with
 * Istio's Bookinfo samples applied and two sidecars (real agents) registered through its
 * discovery: the mTLS mode per port and the resource that decided it, the policies that apply,
 * the DestinationRule's TLS mode and subsets, the VirtualServices; an unknown workload.
 */
class DescribeCommandTest {
  static final String SECURITY = """
      apiVersion: security.istio.io/v1beta1
      kind: PeerAuthentication
      metadata: {name: default, namespace: istio-system}
      spec:
        mtls: {mode: STRICT}
      ---
      apiVersion: security.istio.io/v1beta1
      kind: PeerAuthentication
      metadata: {name: reviews-port, namespace: default}
      spec:
        selector: {matchLabels: {app: reviews}}
        portLevelMtls:
          "9080": {mode: DISABLE}
      ---
      apiVersion: security.istio.io/v1beta1
      kind: AuthorizationPolicy
      metadata: {name: ratings-allow, namespace: default}
      spec:
        selector: {matchLabels: {app: ratings}}
        action: ALLOW
        rules:
        - from:
          - source: {principals: ["cluster.local/ns/default/sa/reviews-sa"]}
      ---
      apiVersion: security.istio.io/v1beta1
      kind: RequestAuthentication
      metadata: {name: jwt, namespace: default}
      spec:
        selector: {matchLabels: {app: ratings}}
        jwtRules:
        - issuer: testing@secure.istio.io
          jwksUri: https://example.com/jwks.json
      """;

  @TempDir
  Path home;

  Kernel cp;
  Kernel reviews;
  Kernel ratings;
  String api;

  @BeforeEach
  void mesh() throws Exception {
    cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    api = "127.0.0.1:" + cp.lookup(ControlPlaneApi.Endpoint.class).port();
    Path samples = samples();
    for (Path f : new Path[] {
        samples.resolve("bookinfo/networking/destination-rule-all-mtls.yaml"),
        samples.resolve("bookinfo/networking/virtual-service-all-v1.yaml"),
        samples.resolve("bookinfo/platform/kube/rbac/rbac-config-ON.yaml"),
        samples.resolve("bookinfo/platform/kube/rbac/details-reviews-policy.yaml"),
        samples.resolve("bookinfo/platform/kube/rbac/ratings-policy.yaml")}) {
      Run applied = mizzen("apply", "-f", f.toString(), "--control-plane", api);
      assertEquals(0, applied.exit(), f + ": " + applied.err());
    }
    Path security = home.resolve("security.yaml");
    Files.writeString(security, SECURITY);
    Run applied = mizzen("apply", "-f", security.toString(), "--control-plane", api);
    assertEquals(0, applied.exit(), applied.err());

    int grpc = PilotMesh.grpcPort(cp);
    reviews = PilotMesh.sidecar(home.resolve("reviews"), grpc, "reviews", "default",
        Map.of("app", "reviews", "version", "v1"), 9080);
    ratings = PilotMesh.sidecar(home.resolve("ratings"), grpc, "ratings", "default",
        Map.of("app", "ratings", "version", "v1"), 9080);
    MeshDiscovery discovery = cp.lookup(MeshDiscovery.class);
    Conditions.await("both sidecars registered", WAIT, () -> discovery.instances().stream()
        .filter(i -> i.source().equals("self")).map(i -> i.service()).distinct().count() == 2);
  }

  @AfterEach
  void stop() throws Exception {
    PilotMesh.stop(reviews, ratings, cp);
  }

  static Path samples() {
    String shared = System.getProperty("mizzen.shared");
    Path base = shared != null ? Path.of(shared) : Path.of("../../shared");
    if (!Files.isDirectory(base.resolve("istio-samples"))) {
      base = Path.of("/work/shared");
    }
    return base.resolve("istio-samples");
  }

  private HttpResponse<String> get(String query) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + api + "/debug/describe?" + query)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theApiAnswersModesPoliciesRulesAndRoutesPerWorkload() throws Exception {
    HttpResponse<String> r = get("workload=reviews&namespace=default");
    assertEquals(200, r.statusCode(), r.body());
    JsonArray workloads = new JsonObject(r.body()).getJsonArray("workloads");
    assertEquals(1, workloads.size(), r.body());
    JsonObject w = workloads.getJsonObject(0);
    assertEquals("reviews", w.getString("service"));
    assertEquals("reviews-sa", w.getString("serviceAccount"));
    assertEquals("v1", w.getJsonObject("labels").getString("version"));
    assertEquals("reviews~127.0.0.1~9080.default", w.getString("proxy"));
    JsonObject port = w.getJsonArray("ports").getJsonObject(0);
    assertEquals(9080, port.getInteger("port"));
    assertEquals("DISABLE", port.getString("mtls"), r.body());
    assertEquals("PeerAuthentication default/reviews-port, port 9080", port.getString("decidedBy"));
    assertTrue(w.getJsonArray("authorizationPolicies").isEmpty(), r.body());
    assertFalse(w.getBoolean("denyByDefault"));
    JsonObject rbac = w.getJsonObject("rbac");
    assertTrue(rbac.getBoolean("included"), r.body());
    assertEquals("details-reviews-viewer", rbac.getJsonArray("roles").getJsonObject(0).getString("role"));
    assertEquals("bind-details-reviews", rbac.getJsonArray("roles").getJsonObject(0).getJsonArray("bindings").getString(0));
    JsonObject dr = w.getJsonArray("destinationRules").getJsonObject(0);
    assertEquals("reviews", dr.getString("name"));
    assertEquals("ISTIO_MUTUAL", dr.getString("tlsMode"));
    assertEquals(new JsonArray().add("v1").add("v2").add("v3"), dr.getJsonArray("subsets"));
    assertEquals(new JsonArray().add("v1"), dr.getJsonArray("matchingSubsets"));
    assertEquals("reviews", w.getJsonArray("virtualServices").getJsonObject(0).getString("name"));

    // By proxy id: the same workload, found through the node.
    HttpResponse<String> byId = get("workload=ratings~127.0.0.1~9080.default");
    assertEquals(200, byId.statusCode(), byId.body());
    JsonObject ratingsW = new JsonObject(byId.body()).getJsonArray("workloads").getJsonObject(0);
    JsonObject ratingsPort = ratingsW.getJsonArray("ports").getJsonObject(0);
    assertEquals("STRICT", ratingsPort.getString("mtls"), byId.body());
    assertEquals("PeerAuthentication istio-system/default", ratingsPort.getString("decidedBy"));
    JsonObject allow = ratingsW.getJsonArray("authorizationPolicies").getJsonObject(0);
    assertEquals("ratings-allow", allow.getString("name"));
    assertEquals("ALLOW", allow.getString("action"));
    assertEquals("selector app=ratings", allow.getString("selectedBy"));
    assertTrue(ratingsW.getBoolean("denyByDefault"), byId.body());
    assertEquals("testing@secure.istio.io",
        ratingsW.getJsonArray("requestAuthentications").getJsonObject(0).getJsonArray("issuers").getString(0));
    assertTrue(ratingsW.getJsonObject("rbac").getBoolean("overriddenByAuthorizationPolicy"), byId.body());

    // Two more reviews endpoints from another registry, both v2: one more section, not two.
    MeshDiscovery discovery = cp.lookup(MeshDiscovery.class);
    List<ServicePort> http = List.of(new ServicePort("http", 9080, 9080, ""));
    discovery.sink("file").replaceAll(List.of(
        new ServiceInstance("reviews", "default", "reviews.default.svc.cluster.local", "10.0.0.2", http,
            Map.of("app", "reviews", "version", "v2"), "bookinfo-reviews", "file"),
        new ServiceInstance("reviews", "default", "reviews.default.svc.cluster.local", "10.0.0.3", http,
            Map.of("app", "reviews", "version", "v2"), "bookinfo-reviews", "file")));
    JsonArray both = new JsonObject(get("workload=reviews").body()).getJsonArray("workloads");
    assertEquals(2, both.size(), both.encodePrettily());
    JsonObject v2 = both.getJsonObject(1);
    assertEquals("bookinfo-reviews", v2.getString("serviceAccount"));
    assertEquals("", v2.getString("proxy"));
    assertEquals("DISABLE", v2.getJsonArray("ports").getJsonObject(0).getString("mtls"), "the targetPort of a registry's instance");
    assertEquals(new JsonArray().add("v2"), v2.getJsonArray("destinationRules").getJsonObject(0).getJsonArray("matchingSubsets"));

    HttpResponse<String> unknown = get("workload=nosuch&namespace=foo");
    assertEquals(404, unknown.statusCode());
    String error = new JsonObject(unknown.body()).getString("error");
    assertTrue(error.contains("'nosuch'") && error.contains("namespace foo"), error);
  }

  @Test
  void theCommandPrintsItLikeIstioctlAndExitsOneForAnUnknownWorkload() throws Exception {
    Run reviewsOut = mizzen("describe", "reviews", "-n", "default", "--control-plane", api);
    assertEquals(0, reviewsOut.exit(), reviewsOut.err());
    String out = reviewsOut.out();
    assertTrue(out.contains("Workload: reviews.default (proxy reviews~127.0.0.1~9080.default)"), out);
    assertTrue(out.contains("Labels: app=reviews,version=v1"), out);
    assertTrue(out.contains("Port: 9080/http"), out);
    assertTrue(out.contains("mTLS: DISABLE (PeerAuthentication default/reviews-port, port 9080)"), out);
    assertTrue(out.contains("AuthorizationPolicies: none\n"), out);
    assertTrue(out.contains("ServiceRole details-reviews-viewer bound by bind-details-reviews"), out);
    assertTrue(out.contains("DestinationRule: reviews.default for \"reviews\""), out);
    assertTrue(out.contains("Matching subsets: v1"), out);
    assertTrue(out.contains("Traffic Policy TLS Mode: ISTIO_MUTUAL"), out);
    assertTrue(out.contains("VirtualService: reviews.default"), out);

    Run ratingsOut = mizzen("describe", "ratings", "--control-plane", api);
    assertEquals(0, ratingsOut.exit(), ratingsOut.err());
    assertTrue(ratingsOut.out().contains("mTLS: STRICT (PeerAuthentication istio-system/default)"), ratingsOut.out());
    assertTrue(ratingsOut.out().contains("AuthorizationPolicies: deny by default"), ratingsOut.out());
    assertTrue(ratingsOut.out().contains("ALLOW default/ratings-allow (selector app=ratings, 1 rule)"), ratingsOut.out());
    assertTrue(ratingsOut.out().contains("issuers: testing@secure.istio.io"), ratingsOut.out());

    Run unknown = mizzen("describe", "nosuch", "-n", "foo", "--control-plane", api);
    assertEquals(1, unknown.exit(), unknown.out());
    assertTrue(unknown.err().contains("mizzen describe: no workload 'nosuch' in namespace foo"), unknown.err());
    assertTrue(unknown.out().isEmpty(), unknown.out());
  }
}
