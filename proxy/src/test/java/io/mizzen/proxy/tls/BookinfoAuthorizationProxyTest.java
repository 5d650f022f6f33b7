package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.authz.RequestAuthenticatorTest;
import io.mizzen.proxy.authz.Yaml;
import io.mizzen.spi.config.Resource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bookinfo's four workloads behind real sidecars with mutual TLS, authorization enforced at each
 * inbound as Istio 1.4's authorization tasks document it: first with the rbac.istio.io samples of
 * {@code bookinfo/platform/kube/rbac}, then with the same intent in AuthorizationPolicy, a JWT
 * claim condition included.
 */
class BookinfoAuthorizationProxyTest {
  private static final String RBAC = "bookinfo/platform/kube/rbac/";
  private Sidecars mesh;

  @BeforeEach
  void setUp() throws Exception {
    mesh = new Sidecars();
    for (String app : List.of("productpage", "details", "reviews", "ratings")) {
      mesh.start(app);
    }
  }

  @AfterEach
  void tearDown() {
    mesh.close();
  }

  private static List<Resource> samples(String... names) {
    List<Resource> out = new ArrayList<>();
    for (String n : names) {
      out.addAll(Yaml.sample(RBAC + n));
    }
    return out;
  }

  @Test
  void theRbacSamplesStepByStep() {
    mesh.apply(samples("rbac-config-ON.yaml"));
    String[] denied = mesh.plain("productpage");
    assertEquals("403", denied[0], denied[1]);
    assertEquals("RBAC: access denied", denied[1]);
    assertEquals("403", mesh.call("productpage", "details", "GET")[0], "RBAC on and no binding yet");

    mesh.apply(samples("rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml", "ratings-policy.yaml"));
    assertEquals("200", mesh.plain("productpage")[0], "productpage-viewer: user \"*\" may GET");
    assertEquals("403", mesh.request(mesh.sidecars.get("productpage").proxy().inboundPort(), "productpage", "POST", Map.of())[0],
        "GET only");
    String[] details = mesh.call("productpage", "details", "GET");
    assertEquals("200", details[0], details[1]);
    assertTrue(details[1].contains("cluster.local/ns/default/sa/bookinfo-productpage"), details[1]);
    assertEquals("200", mesh.call("productpage", "reviews", "GET")[0]);
    assertEquals("403", mesh.call("productpage", "ratings", "GET")[0], "ratings only from reviews");
    assertEquals("200", mesh.call("reviews", "ratings", "GET")[0]);
    assertEquals("403", mesh.call("reviews", "details", "GET")[0], "details only from productpage");
    assertEquals("403", mesh.plain("details")[0], "plain text has no principal");

    String metrics = mesh.metricsOnceCounted("details", "istio_requests_total{", "response_code=\"403\"",
        "source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-reviews\"");
    assertTrue(metrics.contains("response_code=\"200\""), metrics);
  }

  @Test
  void authorizationPolicyWithPrincipalsAndAJwtClaim() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    String jwks = new JsonObject().put("keys", new JsonArray().add(
        RequestAuthenticatorTest.rsaJwk((RSAPublicKey) keys.getPublic(), "k1"))).encode();
    List<Resource> policies = Yaml.parse("""
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: deny-all, namespace: default}
        spec: {}
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: productpage-viewer, namespace: default}
        spec:
          selector: {matchLabels: {app: productpage}}
          rules:
          - to:
            - operation: {methods: ["GET"]}
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: details-viewer, namespace: default}
        spec:
          selector: {matchLabels: {app: details}}
          rules:
          - from:
            - source: {principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]}
            to:
            - operation: {methods: ["GET"], ports: ["9080"]}
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: reviews-group1, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          rules:
          - from:
            - source: {namespaces: ["default"]}
            when:
            - key: request.auth.claims[groups]
              values: ["group1"]
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: reviews-no-delete, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          action: DENY
          rules:
          - to:
            - operation: {methods: ["DELETE"]}
        ---
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: reviews-jwt, namespace: default}
        spec:
          selector: {matchLabels: {app: reviews}}
          jwtRules:
          - issuer: "testing@secure.istio.io"
            jwks: '%s'
        """.formatted(jwks), "bookinfo-authz.yaml");
    mesh.apply(policies);

    assertEquals("200", mesh.plain("productpage")[0]);
    assertEquals("200", mesh.call("productpage", "details", "GET")[0]);
    assertEquals("403", mesh.call("reviews", "details", "GET")[0]);
    assertEquals("403", mesh.call("productpage", "ratings", "GET")[0], "deny-all: no ALLOW for ratings");

    long exp = Instant.now().getEpochSecond() + 3600;
    String group1 = RequestAuthenticatorTest.token("RS256", "k1", keys, new JsonObject().put("iss", "testing@secure.istio.io")
        .put("sub", "alice").put("exp", exp).put("groups", new JsonArray().add("group1")));
    String group2 = RequestAuthenticatorTest.token("RS256", "k1", keys, new JsonObject().put("iss", "testing@secure.istio.io")
        .put("sub", "bob").put("exp", exp).put("groups", new JsonArray().add("group2")));
    assertEquals("200", mesh.call("productpage", "reviews", "GET", Map.of("authorization", "Bearer " + group1))[0]);
    assertEquals("403", mesh.call("productpage", "reviews", "GET", Map.of("authorization", "Bearer " + group2))[0]);
    assertEquals("403", mesh.call("productpage", "reviews", "GET")[0], "no token: no claims");
    String[] forged = mesh.call("productpage", "reviews", "GET", Map.of("authorization", "Bearer " + group1.substring(0, group1.length() - 4) + "AAAA"));
    assertEquals("401", forged[0], forged[1]);
    assertEquals("403", mesh.call("productpage", "reviews", "DELETE", Map.of("authorization", "Bearer " + group1))[0], "DENY wins");
  }
}
