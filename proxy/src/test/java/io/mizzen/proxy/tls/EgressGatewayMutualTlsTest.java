package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's egress gateway with mutual TLS from the sidecars ("Egress gateways", TLS between sidecar
 * and gateway): a real sidecar sends traffic for an external host to a real egress gateway under
 * an ISTIO_MUTUAL DestinationRule with {@code sni}, and the gateway's ISTIO_MUTUAL server, picked
 * by that SNI, terminates the mesh's mutual TLS with its own workload certificate before routing
 * to the external service. Certificates come from a test mesh root.
 */
class EgressGatewayMutualTlsTest {
  private static final String GATEWAY_HOST = "istio-egressgateway.default.svc.cluster.local";
  private final Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final HttpClient client = vertx.createHttpClient();
  @TempDir
  Path dir;
  private TestPki mesh;
  private MeshProxy gateway;
  private MeshProxy sidecar;
  private HttpServer external;

  @BeforeEach
  void setUp() throws Exception {
    mesh = new TestPki("mesh");
    HttpServer external = await(vertx.createHttpServer()
        .requestHandler(req -> req.response().end("external saw " + req.getHeader("host")))
        .listen(0, "127.0.0.1"));
    gateway = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0).withGateways(Set.of())
            .withSourceLabels(Map.of("istio", "egressgateway"))
            .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(443, 0), dir)),
        List.of(), MeshTls.create(new HeldCertificates(mesh.workload("istio-egressgateway-service-account"))),
        "cluster.local", io.mizzen.proxy.authz.InboundSecurity.of(vertx, new io.mizzen.spi.proxy.WorkloadInfo(
            "istio-egressgateway", "default", Map.of("istio", "egressgateway"), "istio-egressgateway-service-account",
            "127.0.0.1", 0), "istio-system", "cluster.local", java.time.Clock.systemUTC())));
    this.external = external;
    applyGateway("1", "");

    sidecar = await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0), List.of(),
        MeshTls.create(new HeldCertificates(mesh.workload("productpage"))), "cluster.local"));
  }

  /** The gateway's config (its Gateway and VirtualService), plus {@code extra} resources. */
  private void applyGateway(String version, String extra) {
    await(gateway.apply(new ProxySnapshot(version, io.mizzen.proxy.Samples.parse("""
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: istio-egressgateway, namespace: default}
        spec:
          selector: {istio: egressgateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [external.example]
            tls: {mode: ISTIO_MUTUAL}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: external-through-egress, namespace: default}
        spec:
          hosts: [external.example]
          gateways: [istio-egressgateway]
          http:
          - route: [{destination: {host: external.example, port: {number: 80}}}]
        """ + extra, "egress-gateway"), List.of(new ServiceInstance("external", "default", "external.example", "127.0.0.1",
            List.of(new ServicePort("http", 80, external.actualPort(), "HTTP")), Map.of(), null, "test")))));
  }

  @AfterEach
  void tearDown() {
    await(Future.join(sidecar.close(), gateway.close()));
    await(vertx.close());
  }

  /** The sidecar's config: external.example goes to the egress gateway over mTLS, with {@code sni}. */
  private void routeThroughTheGateway(String sni) {
    List<Resource> config = io.mizzen.proxy.Samples.parse("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: egressgateway-for-external, namespace: default}
        spec:
          host: %s
          trafficPolicy:
            tls: {mode: ISTIO_MUTUAL, sni: %s}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: external-via-egress, namespace: default}
        spec:
          hosts: [external.example]
          http:
          - route: [{destination: {host: %s, port: {number: 443}}}]
        """.formatted(GATEWAY_HOST, sni, GATEWAY_HOST), "sidecar");
    ServiceInstance egress = new ServiceInstance("istio-egressgateway", "default", GATEWAY_HOST, "127.0.0.1",
        List.of(new ServicePort("https", 443, gateway.gatewayPort(443), "HTTPS")), Map.of("istio", "egressgateway"),
        "istio-egressgateway-service-account", "test");
    await(sidecar.apply(new ProxySnapshot("1", config, List.of(egress))));
  }

  private Future<String[]> get(HttpClient via, int port, String host) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(host).setPort(80).setURI("/status").setTimeout(10_000);
    return io.mizzen.proxy.OneLoop.run(vertx, () -> via.request(o).compose(r -> r.send())
        .compose(resp -> resp.body().map(b -> new String[] {Integer.toString(resp.statusCode()), b.toString()})));
  }

  @Test
  void aSidecarReachesAnExternalHostThroughTheEgressGatewayOverMutualTls() {
    routeThroughTheGateway("external.example");
    String[] reply = await(get(client, sidecar.outboundPort(), "external.example"));
    assertEquals("200", reply[0], reply[1]);
    assertEquals("external saw external.example", reply[1]);
    // The gateway's only server on 443 takes nothing but the mesh's mutual TLS (the next test):
    // this answer crossed it.
  }

  @Test
  void theGatewayRefusesAnSniNoIstioMutualServerExposesAndClientsWithoutAMeshCertificate() {
    routeThroughTheGateway("elsewhere.example");
    String[] reply = await(get(client, sidecar.outboundPort(), "external.example"));
    assertEquals("503", reply[0], "the gateway closed the connection: " + reply[1]);

    HttpClient outsider = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true)
        .setForceSni(true));
    try {
      Future<String[]> refused = get(outsider, gateway.gatewayPort(443), "external.example");
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> refused.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS),
          "a TLS client without a mesh certificate is refused");
      assertTrue(e.getCause() != null, String.valueOf(e));
    } finally {
      await(outsider.close());
    }
  }

  /**
   * An AuthorizationPolicy selecting the egress gateway sees the calling sidecar's mesh identity
   * (source.principal from its certificate at the ISTIO_MUTUAL server), as Istio's egress
   * gateway policies do: productpage is let through while it is the principal allowed, and
   * refused 403 {@code RBAC: access denied} once another is.
   */
  @Test
  void theGatewaysAuthorizationPolicySeesTheCallersMeshIdentity() {
    String policy = """
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: who-may-leave, namespace: default}
        spec:
          selector: {matchLabels: {istio: egressgateway}}
          action: ALLOW
          rules:
          - from:
            - source:
                principals: ["cluster.local/ns/default/sa/%s"]
        """;
    applyGateway("2", policy.formatted("productpage"));
    routeThroughTheGateway("external.example");
    String[] reply = await(get(client, sidecar.outboundPort(), "external.example"));
    assertEquals("200", reply[0], reply[1]);
    applyGateway("3", policy.formatted("reviews"));
    reply = await(get(client, sidecar.outboundPort(), "external.example"));
    assertEquals("403", reply[0], reply[1]);
    assertEquals("RBAC: access denied", reply[1]);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
