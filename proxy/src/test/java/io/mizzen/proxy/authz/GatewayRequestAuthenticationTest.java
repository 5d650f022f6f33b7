package io.mizzen.proxy.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End-user authentication at the ingress gateway, as Istio's task does it: a RequestAuthentication
 * and an AuthorizationPolicy requiring a request principal, both selecting the gateway by its
 * labels, enforced on a real gateway listener: no token 403, a bad one 401, a good one through.
 * A policy in another namespace than the gateway's selects nothing.
 */
class GatewayRequestAuthenticationTest {
  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private final Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(1));
  private final HttpClient client = vertx.createHttpClient();
  private MeshProxy gateway;
  private KeyPair keys;
  private KeyPair stranger;

  @BeforeEach
  void setUp() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    keys = g.generateKeyPair();
    stranger = g.generateKeyPair();
    WorkloadInfo ingress = new WorkloadInfo("istio-ingressgateway", "istio-system",
        Map.of("istio", "ingressgateway"), "istio-ingressgateway-service-account", "127.0.0.1", 0);
    gateway = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withGateways(Set.of())
            .withSourceLabels(ingress.labels())
            .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(80, 0), null)),
        List.of(), null, "cluster.local",
        InboundSecurity.of(vertx, ingress, "istio-system", "cluster.local", Clock.fixed(NOW, ZoneOffset.UTC))));
  }

  @AfterEach
  void tearDown() {
    await(gateway.close());
    await(vertx.close());
  }

  private void apply(String version, String policyNamespace) {
    String jwks = new JsonObject().put("keys", new JsonArray()
        .add(RequestAuthenticatorTest.rsaJwk((RSAPublicKey) keys.getPublic(), "k1"))).encode();
    await(gateway.apply(new ProxySnapshot(version, io.mizzen.proxy.Samples.parse("""
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: bookinfo-gateway, namespace: default}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: site, namespace: default}
        spec:
          hosts: ["*"]
          gateways: [bookinfo-gateway]
          http:
          - directResponse: {status: 200, body: {string: welcome}}
        ---
        apiVersion: security.istio.io/v1beta1
        kind: RequestAuthentication
        metadata: {name: jwt-example, namespace: %1$s}
        spec:
          selector: {matchLabels: {istio: ingressgateway}}
          jwtRules:
          - issuer: "testing@secure.istio.io"
            jwks: '%2$s'
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: require-jwt, namespace: %1$s}
        spec:
          selector: {matchLabels: {istio: ingressgateway}}
          action: ALLOW
          rules:
          - from:
            - source:
                requestPrincipals: ["testing@secure.istio.io/alice"]
        """.formatted(policyNamespace, jwks), "ingress-jwt"), List.of())));
  }

  private String[] get(String token) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(gateway.gatewayPort(80), "127.0.0.1"))
        .setHost("bookinfo.example").setURI("/productpage").setTimeout(10_000);
    if (token != null) {
      o.putHeader("Authorization", "Bearer " + token);
    }
    return await(io.mizzen.proxy.OneLoop.run(vertx, () -> client.request(o).compose(r -> r.send())
        .compose(resp -> resp.body().map(b -> new String[] {Integer.toString(resp.statusCode()), b.toString()}))));
  }

  private static String token(KeyPair signer) throws Exception {
    JsonObject claims = new JsonObject().put("iss", "testing@secure.istio.io").put("sub", "alice")
        .put("exp", NOW.getEpochSecond() + 3600);
    return RequestAuthenticatorTest.token("RS256", "k1", signer, claims);
  }

  @Test
  void theGatewayRequiresAValidJwt() throws Exception {
    apply("1", "istio-system");
    String[] none = get(null);
    assertEquals("403", none[0], none[1]);
    assertEquals("RBAC: access denied", none[1]);
    String[] forged = get(token(stranger));
    assertEquals("401", forged[0], forged[1]);
    assertEquals("Jwt verification fails", forged[1]);
    String[] good = get(token(keys));
    assertEquals("200", good[0], good[1]);
    assertEquals("welcome", good[1]);
  }

  @Test
  void policiesOfAnotherNamespaceDoNotSelectTheGateway() {
    apply("1", "default");
    String[] none = get(null);
    assertEquals("200", none[0], none[1]);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
