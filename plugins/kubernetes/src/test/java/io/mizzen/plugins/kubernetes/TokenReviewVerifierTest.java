package io.mizzen.plugins.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ca.CredentialRefusedException;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TokenReview over real HTTP on 127.0.0.1. The API server is outside the system, so a small one
 * stands in for its {@code tokenreviews} endpoint: it knows two tokens, one per audience.
 */
class TokenReviewVerifierTest {
  private static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

  private Vertx vertx;
  private HttpServer apiServer;
  private TokenReviewVerifier verifier;
  private final List<JsonObject> received = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    apiServer = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      if (!req.path().equals(PATH)) {
        req.response().setStatusCode(404).end();
        return;
      }
      JsonObject review = body.toJsonObject();
      received.add(review);
      String jwt = review.getJsonObject("spec").getString("token");
      String token = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
      JsonObject status = switch (token) {
        case "reviews-token" -> new JsonObject().put("authenticated", true).put("audiences", new JsonArray().add("mizzen-ca"))
            .put("user", new JsonObject().put("username", "system:serviceaccount:bookinfo:bookinfo-reviews"));
        case "other-audience" -> new JsonObject().put("authenticated", true).put("audiences", new JsonArray().add("vault"))
            .put("user", new JsonObject().put("username", "system:serviceaccount:bookinfo:bookinfo-reviews"));
        case "a-person" -> new JsonObject().put("authenticated", true).put("audiences", new JsonArray().add("mizzen-ca"))
            .put("user", new JsonObject().put("username", "jane@example.com"));
        default -> new JsonObject().put("authenticated", false).put("error", "invalid bearer token");
      };
      req.response().setStatusCode(201).putHeader("content-type", "application/json")
          .end(review.copy().put("status", status).encode());
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    verifier = new TokenReviewVerifier(KubeSettings.from(Map.of("enabled", true,
        "masterUrl", "http://127.0.0.1:" + apiServer.actualPort(), "audiences", List.of("mizzen-ca")), Map.of()));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Verifies on a Vert.x context, as Citadel does from its event loop. */
  private Future<SpiffeId> verify(String token) {
    io.vertx.core.Promise<SpiffeId> result = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> verifier.verify(jwt(token), "cluster.local").onComplete(result));
    return result.future();
  }

  /** A JWT-shaped credential whose payload is {@code token}; the stand-in API server reads it back. */
  private static String jwt(String token) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(token.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private Throwable refusal(String token) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(verify(token)));
    return e.getCause();
  }

  @Test
  void aServiceAccountTokenBecomesItsSpiffeIdentity() throws Exception {
    assertEquals(SpiffeId.of("cluster.local", "bookinfo", "bookinfo-reviews"), get(verify("reviews-token")));
    JsonObject sent = received.get(0);
    assertEquals("authentication.k8s.io/v1", sent.getString("apiVersion"));
    assertEquals("TokenReview", sent.getString("kind"));
    assertEquals(new JsonArray().add("mizzen-ca"), sent.getJsonObject("spec").getJsonArray("audiences"));
  }

  @Test
  void invalidTokensWrongAudiencesAndPeopleAreRefusedWithoutEchoingTheToken() {
    Throwable invalid = refusal("forged-token");
    assertInstanceOf(CredentialRefusedException.class, invalid);
    assertTrue(invalid.getMessage().contains("invalid bearer token"), invalid.getMessage());
    assertTrue(!invalid.getMessage().contains(jwt("forged-token")), invalid.getMessage());

    Throwable audience = refusal("other-audience");
    assertInstanceOf(CredentialRefusedException.class, audience);
    assertTrue(audience.getMessage().contains("mizzen-ca"), audience.getMessage());

    Throwable person = refusal("a-person");
    assertInstanceOf(CredentialRefusedException.class, person);
    assertTrue(person.getMessage().contains("not a service account"), person.getMessage());
  }

  @Test
  void onlyJwtShapedCredentialsAreAcceptedAndOnlyWhenEnabled() {
    assertTrue(verifier.accepts(jwt("reviews-token")));
    assertTrue(!verifier.accepts("mzt.cae666d06e4f.secret"), "a bootstrap token is the kernel's own");
    assertTrue(!verifier.accepts("not-a-token"));
    assertTrue(!new TokenReviewVerifier(KubeSettings.from(Map.of("enabled", false), Map.of())).accepts(jwt("reviews-token")));
  }

  @Test
  void anUnreachableApiServerIsAFailureToAskNotARefusal() throws Exception {
    apiServer.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Throwable e = refusal("reviews-token");
    assertTrue(!(e instanceof CredentialRefusedException), String.valueOf(e));
  }
}
