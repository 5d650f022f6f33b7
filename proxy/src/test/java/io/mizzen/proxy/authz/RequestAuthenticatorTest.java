package io.mizzen.proxy.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RequestAuthentication: RS256 with inline JWKS, ES256 with JWKS fetched from a real HTTP server
 * on 127.0.0.1, issuer / audience / expiry checks, bad tokens refused, no token passes through, and
 * the claims reaching AuthorizationPolicy as request.auth.*. The clock is fixed (outside the system).
 */
public class RequestAuthenticatorTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final WorkloadInfo HTTPBIN = new WorkloadInfo("httpbin", "foo", Map.of("app", "httpbin"), "httpbin", "127.0.0.1", 8000);
  static final WorkloadInfo OTHER = new WorkloadInfo("sleep", "bar", Map.of("app", "sleep"), "sleep", "127.0.0.1", 8000);
  static KeyPair rsa;
  static KeyPair ec;
  static KeyPair stranger;
  static Vertx vertx;
  static HttpServer jwksServer;
  static RequestAuthenticator authenticator;
  static final AtomicInteger FLAKY_FETCHES = new AtomicInteger();
  static final AtomicBoolean FLAKY_UP = new AtomicBoolean(true);

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
    r.initialize(2048);
    rsa = r.generateKeyPair();
    stranger = r.generateKeyPair();
    KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
    e.initialize(new ECGenParameterSpec("secp256r1"));
    ec = e.generateKeyPair();
    vertx = Vertx.vertx();
    String ecJwks = new JsonObject().put("keys", new JsonArray().add(ecJwk((ECPublicKey) ec.getPublic(), "ec-1"))).encode();
    jwksServer = vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/jwks.json")) {
        req.response().putHeader("content-type", "application/json").end(ecJwks);
      } else if (req.path().equals("/flaky.json")) {
        FLAKY_FETCHES.incrementAndGet();
        if (FLAKY_UP.get()) {
          req.response().putHeader("content-type", "application/json").end(ecJwks);
        } else {
          req.response().setStatusCode(503).end();
        }
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String rsaJwks = new JsonObject().put("keys", new JsonArray().add(rsaJwk((RSAPublicKey) rsa.getPublic(), "rsa-1"))).encode();
    String yaml = """
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: jwt-example, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          jwtRules:
          - issuer: "testing@secure.istio.io"
            audiences: ["bookinfo"]
            jwks: '%s'
          - issuer: "ec-issuer"
            jwksUri: "http://127.0.0.1:%d/jwks.json"
            fromHeaders: [{name: x-jwt-assertion}]
            fromParams: [access_token]
        """.formatted(rsaJwks, jwksServer.actualPort());
    authenticator = RequestAuthenticator.load(vertx, Yaml.parse(yaml, "jwt.yaml"), "istio-system", CLOCK)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public static JsonObject rsaJwk(RSAPublicKey k, String kid) {
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("n", b64(unsigned(k.getModulus()))).put("e", b64(unsigned(k.getPublicExponent())));
  }

  static JsonObject ecJwk(ECPublicKey k, String kid) {
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid)
        .put("x", b64(fixed(k.getW().getAffineX()))).put("y", b64(fixed(k.getW().getAffineY())));
  }

  static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  static byte[] fixed(BigInteger n) {
    byte[] b = unsigned(n);
    byte[] out = new byte[32];
    System.arraycopy(b, 0, out, 32 - b.length, b.length);
    return out;
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static String token(String alg, String kid, KeyPair keys, JsonObject claims) throws Exception {
    String head = b64(new JsonObject().put("alg", alg).put("kid", kid).put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8));
    String body = b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance(alg.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
    s.initSign(keys.getPrivate());
    s.update((head + "." + body).getBytes(StandardCharsets.US_ASCII));
    return head + "." + body + "." + b64(s.sign());
  }

  static JsonObject claims(String iss) {
    return new JsonObject().put("iss", iss).put("sub", "alice").put("aud", "bookinfo").put("exp", NOW.getEpochSecond() + 3600)
        .put("groups", new JsonArray().add("group1").add("group2")).put("scope", "read write");
  }

  static RequestAuthenticator.Outcome bearer(String token) {
    return authenticator.authenticate(HTTPBIN, Map.of("Authorization", "Bearer " + token), "/headers");
  }

  @Test
  void rs256WithInlineJwksFillsRequestAuth() throws Exception {
    RequestAuthenticator.Outcome o = bearer(token("RS256", "rsa-1", rsa, claims("testing@secure.istio.io")));
    assertTrue(o.accepted(), o.reason());
    assertEquals("testing@secure.istio.io/alice", o.auth().principal());
    assertEquals(List.of("bookinfo"), o.auth().audiences());
    assertEquals(List.of("group1", "group2"), o.auth().claims().get("groups"));
    assertEquals(List.of("read", "write"), o.auth().claims().get("scope"));
  }

  @Test
  void es256WithJwksFetchedOverHttpFromAHeaderOrAParameter() throws Exception {
    String t = token("ES256", "ec-1", ec, claims("ec-issuer"));
    RequestAuthenticator.Outcome header = authenticator.authenticate(HTTPBIN, Map.of("X-JWT-Assertion", t), "/");
    assertTrue(header.accepted(), header.reason());
    assertEquals("ec-issuer/alice", header.auth().principal());
    RequestAuthenticator.Outcome param = authenticator.authenticate(HTTPBIN, Map.of(), "/ip?access_token=" + t);
    assertTrue(param.accepted(), param.reason());
    assertEquals("ec-issuer/alice", param.auth().principal());
  }

  @Test
  void badTokensAreRefusedWithTheReason() throws Exception {
    Map<String, String> cases = Map.of(
        token("RS256", "rsa-1", stranger, claims("testing@secure.istio.io")), "signature does not verify",
        token("RS256", "rsa-1", rsa, claims("testing@secure.istio.io").put("exp", NOW.getEpochSecond() - 1)), "expired",
        token("RS256", "rsa-1", rsa, claims("testing@secure.istio.io").put("nbf", NOW.getEpochSecond() + 60)), "not valid before",
        token("RS256", "rsa-1", rsa, claims("testing@secure.istio.io").put("aud", "other")), "audiences",
        token("RS256", "rsa-1", rsa, claims("someone-else")), "issuer",
        "not.a.token", "not a JSON object",
        "onlyonepart", "3 dot-separated parts",
        b64("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "." + b64(claims("testing@secure.istio.io").encode().getBytes(StandardCharsets.UTF_8)) + ".",
        "alg 'none' is not accepted");
    cases.forEach((token, reason) -> {
      RequestAuthenticator.Outcome o = bearer(token);
      assertFalse(o.accepted(), reason);
      assertTrue(o.reason().contains(reason), reason + " in " + o.reason());
    });
  }

  @Test
  void noTokenPassesWithoutRequestAuthAndOtherWorkloadsAreNotSelected() throws Exception {
    RequestAuthenticator.Outcome none = authenticator.authenticate(HTTPBIN, Map.of(), "/");
    assertTrue(none.accepted());
    assertEquals("", none.auth().principal());
    RequestAuthenticator.Outcome other = authenticator.authenticate(OTHER,
        Map.of("Authorization", "Bearer " + token("RS256", "rsa-1", stranger, claims("x"))), "/");
    assertTrue(other.accepted(), "no rule selects sleep in bar: its token is not checked");
  }

  @Test
  void requestAuthFeedsAuthorizationPolicy() throws Exception {
    AuthorizationEngine engine = AuthorizationEngine.of(Yaml.parse("""
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: require-jwt, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          rules:
          - from: [{source: {requestPrincipals: ["testing@secure.istio.io/*"]}}]
            when: [{key: "request.auth.claims[groups]", values: ["group1"]}]
        """, "authz.yaml"), "istio-system");
    RequestAuthenticator.Outcome o = bearer(token("RS256", "rsa-1", rsa, claims("testing@secure.istio.io")));
    RequestView with = new RequestView("", "", "127.0.0.1", "httpbin.foo", 8000, "GET", "/headers", Map.of(), o.auth());
    assertTrue(engine.decide(HTTPBIN, with).allowed());
    RequestView without = new RequestView("", "", "127.0.0.1", "httpbin.foo", 8000, "GET", "/headers", Map.of(), null);
    assertFalse(engine.decide(HTTPBIN, without).allowed());
  }

  @Test
  void anUnreachableJwksUriFailsTheLoadNamingIt() throws Exception {
    String yaml = """
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: broken, namespace: foo}
        spec:
          jwtRules:
          - issuer: x
            jwksUri: "http://127.0.0.1:%d/missing.json"
          - issuer: y
        """.formatted(jwksServer.actualPort());
    String m = failure(RequestAuthenticator.load(vertx, Yaml.parse(yaml, "broken.yaml"), "istio-system", CLOCK));
    assertTrue(m.contains("broken.yaml") && m.contains("spec.jwtRules[1]") && m.contains("needs jwks or jwksUri"), m);
    String yaml404 = yaml.replace("  - issuer: y\n", "");
    String m404 = failure(RequestAuthenticator.load(vertx, Yaml.parse(yaml404, "broken.yaml"), "istio-system", CLOCK));
    assertTrue(m404.contains("spec.jwtRules[0].jwksUri") && m404.contains("HTTP 404"), m404);
  }

  /**
   * A proxy's jwksUri keys outlive a snapshot: the next one within 20 minutes asks the key server
   * nothing, and once they are due again a failed fetch keeps the keys it had instead of failing
   * the snapshot; a URI never fetched still fails it, naming the URI.
   */
  @Test
  void jwksUriKeysAreKeptAcrossSnapshotsAndThroughAFailedFetch() throws Exception {
    String yaml = """
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: flaky, namespace: foo}
        spec:
          selector: {matchLabels: {app: httpbin}}
          jwtRules:
          - issuer: "ec-issuer"
            jwksUri: "http://127.0.0.1:%d/flaky.json"
        """.formatted(jwksServer.actualPort());
    var resources = Yaml.parse(yaml, "flaky.yaml");
    String t = token("ES256", "ec-1", ec, claims("ec-issuer"));
    FLAKY_UP.set(true);
    int before = FLAKY_FETCHES.get();
    JwksCache kept = new JwksCache(CLOCK);
    for (int i = 0; i < 3; i++) {
      RequestAuthenticator a = await(RequestAuthenticator.load(vertx, resources, "istio-system", CLOCK, kept));
      assertTrue(a.authenticate(HTTPBIN, Map.of("Authorization", "Bearer " + t), "/").accepted());
    }
    assertEquals(1, FLAKY_FETCHES.get() - before, "three snapshots, one fetch");

    JwksCache due = new JwksCache(CLOCK, Duration.ZERO); // every snapshot fetches again
    await(RequestAuthenticator.load(vertx, resources, "istio-system", CLOCK, due));
    FLAKY_UP.set(false);
    try {
      int failedFrom = FLAKY_FETCHES.get();
      RequestAuthenticator a = await(RequestAuthenticator.load(vertx, resources, "istio-system", CLOCK, due));
      assertEquals(1, FLAKY_FETCHES.get() - failedFrom, "the fetch was tried");
      RequestAuthenticator.Outcome o = a.authenticate(HTTPBIN, Map.of("Authorization", "Bearer " + t), "/");
      assertTrue(o.accepted(), "the keys fetched before still verify: " + o.reason());
      String m = failure(RequestAuthenticator.load(vertx, resources, "istio-system", CLOCK, new JwksCache(CLOCK)));
      assertTrue(m.contains("flaky.yaml") && m.contains("spec.jwtRules[0].jwksUri") && m.contains("HTTP 503"), m);
    } finally {
      FLAKY_UP.set(true);
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The message of the failure {@code f} ends in (null if it succeeds). */
  static String failure(Future<?> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().handle((ok, err) -> err == null ? null : err.getMessage())
        .get(10, TimeUnit.SECONDS);
  }
}
