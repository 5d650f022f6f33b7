package io.mizzen.proxy.authz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An identity provider rotating its signing key between config changes: a token signed with the
 * new key is refused until the workload's jwksUri keys are refreshed, then verifies, with no new
 * snapshot; a refresh whose fetch fails keeps the keys held.
 */
class JwksRefreshTest {
  private Vertx vertx;
  private HttpServer keyServer;
  private final AtomicReference<String> served = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    keyServer = await(vertx.createHttpServer().requestHandler(req -> {
      String body = served.get();
      if (body == null) {
        req.response().setStatusCode(503).end();
      } else {
        req.response().putHeader("content-type", "application/json").end(body);
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String jwks(KeyPair keys, String kid) {
    return new JsonObject().put("keys", new JsonArray().add(RequestAuthenticatorTest.ecJwk((ECPublicKey) keys.getPublic(), kid))).encode();
  }

  private static boolean accepted(InboundEnforcement e, String token) {
    return e.compiled().authn().authenticate(RequestAuthenticatorTest.HTTPBIN, Map.of("Authorization", "Bearer " + token), "/").accepted();
  }

  @Test
  void aRotatedKeyVerifiesOnceTheKeysAreRefreshedWithoutASnapshot() throws Exception {
    KeyPair first = ec();
    KeyPair second = ec();
    served.set(jwks(first, "k1"));
    InboundEnforcement e = new InboundEnforcement(vertx, RequestAuthenticatorTest.HTTPBIN, "istio-system", "cluster.local",
        RequestAuthenticatorTest.CLOCK, new JwksCache(RequestAuthenticatorTest.CLOCK, Duration.ZERO));
    String yaml = """
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: idp, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          jwtRules:
          - issuer: "ec-issuer"
            jwksUri: "http://127.0.0.1:%d/jwks.json"
        """.formatted(keyServer.actualPort());
    await(e.prepare(new ProxySnapshot("1", io.mizzen.proxy.Samples.parse(yaml, "idp.yaml"), List.of()))).run();
    String oldToken = RequestAuthenticatorTest.token("ES256", "k1", first, RequestAuthenticatorTest.claims("ec-issuer"));
    String newToken = RequestAuthenticatorTest.token("ES256", "k2", second, RequestAuthenticatorTest.claims("ec-issuer"));
    assertTrue(accepted(e, oldToken));
    assertFalse(accepted(e, newToken), "the new key is not known yet");

    served.set(null); // the key server is down for a moment: the keys held stay
    await(e.refreshKeys());
    assertTrue(accepted(e, oldToken));

    served.set(jwks(second, "k2")); // the provider rotated
    await(e.refreshKeys());
    assertTrue(accepted(e, newToken), "verifies after the refresh, with no new snapshot");
    assertFalse(accepted(e, oldToken), "the retired key no longer verifies");
  }

  /**
   * A RequestAuthentication of another workload whose key server is down does not hold up this
   * workload's snapshot: its keys are not fetched here (they were, and the snapshot failed).
   */
  @Test
  void anotherWorkloadsUnreachableKeyServerDoesNotHoldUpThisOne() throws Exception {
    KeyPair keys = ec();
    String yaml = """
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: mine, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          jwtRules:
          - issuer: "ec-issuer"
            jwks: '%s'
        ---
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: theirs, namespace: bar}
        spec:
          selector: {matchLabels: {app: sleep}}
          jwtRules:
          - issuer: "elsewhere"
            jwksUri: "http://127.0.0.1:%d/down.json"
        """.formatted(jwks(keys, "k1"), keyServer.actualPort());
    served.set(null); // the key server answers 503
    InboundEnforcement e = new InboundEnforcement(vertx, RequestAuthenticatorTest.HTTPBIN, "istio-system", "cluster.local",
        RequestAuthenticatorTest.CLOCK);
    await(e.prepare(new ProxySnapshot("1", io.mizzen.proxy.Samples.parse(yaml, "two.yaml"), List.of()))).run();
    assertTrue(accepted(e, RequestAuthenticatorTest.token("ES256", "k1", keys, RequestAuthenticatorTest.claims("ec-issuer"))));
    InboundEnforcement theirs = new InboundEnforcement(vertx, new io.mizzen.spi.proxy.WorkloadInfo("sleep", "bar",
        Map.of("app", "sleep"), "sleep", "127.0.0.1", 8000), "istio-system", "cluster.local", RequestAuthenticatorTest.CLOCK);
    String m = RequestAuthenticatorTest.failure(theirs.prepare(new ProxySnapshot("1", io.mizzen.proxy.Samples.parse(yaml, "two.yaml"), List.of())));
    assertTrue(m != null && m.contains("down.json") && m.contains("HTTP 503"), "the workload it selects still fails: " + m);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
