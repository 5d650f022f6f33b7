package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An ingress proxy binds one listener per distinct port of the Gateways selecting it, serves
 * each port the VirtualServices bound to those Gateways for the hosts that port's servers
 * expose, and follows snapshots: ports come and go while the others keep serving.
 */
class GatewayListenerTest {
  private Fixture f;
  private final List<ServiceInstance> instances = new ArrayList<>();

  @BeforeEach
  void start() {
    f = new Fixture();
    f.start(f.options().withGateways(Set.of()).withSourceLabels(Map.of("istio", "ingressgateway"))
        .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(80, 0, 8080, 0, 9000, 0, 9443, -1), null)));
    instances.add(instance("web", f.named("web").actualPort()));
    instances.add(instance("api", f.named("api").actualPort()));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  static ServiceInstance instance(String service, int port) {
    return new ServiceInstance(service, "default", service + ".default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("http", 8000, port, "HTTP")), Map.of("app", service), "default", "test");
  }

  private static final String ROUTES = """
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: web}
      spec:
        hosts: [web.example]
        gateways: [edge]
        http:
        - route: [{destination: {host: web}}]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: api}
      spec:
        hosts: [api.example]
        gateways: [default/edge]
        http:
        - match: [{port: 8080, uri: {prefix: /v1}}]
          route: [{destination: {host: api}}]
        - match: [{uri: {prefix: /v1}}]
          directResponse: {status: 418}
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: mesh-only}
      spec:
        hosts: [web.example]
        http:
        - route: [{destination: {host: api}}]
      """;

  private void apply(String version, String gatewayServers) {
    String yaml = """
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: edge}
        spec:
          selector: {istio: ingressgateway}
          servers:
        """ + gatewayServers + "---\n" + ROUTES + """
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: elsewhere}
        spec:
          selector: {istio: egressgateway}
          servers:
          - port: {number: 9443, name: https, protocol: HTTPS}
            hosts: ["*"]
        """;
    Fixture.await(f.proxy.apply(new ProxySnapshot(version, Samples.parse(yaml, "inline"), instances)));
  }

  private Fixture.Reply get(int port, String host, String uri) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri).setHost(host).setPort(port)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setTimeout(20_000);
    return Fixture.await(OneLoop.run(f.vertx, () -> f.client.request(o).compose(req -> req.send()
        .compose(resp -> resp.body().map(b -> new Fixture.Reply(resp.statusCode(), resp.headers(), b.toString()))))));
  }

  @Test
  void onePortPerServerPortEachWithItsOwnHosts() {
    apply("1", """
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [web.example]
          - port: {number: 8080, name: http-api, protocol: HTTP}
            hosts: ["*.example"]
        """);
    int p80 = f.proxy.gatewayPort(80);
    int p8080 = f.proxy.gatewayPort(8080);
    assertTrue(p80 > 0 && p8080 > 0 && p80 != p8080, "two listeners: " + p80 + ", " + p8080);
    assertEquals(-1, f.proxy.gatewayPort(9443), "a Gateway selecting other workloads binds nothing here");
    assertTrue(f.get("web.example", "/").body().startsWith("web "), "the configured port still serves every gateway route");

    assertTrue(get(p80, "web.example", "/").body().startsWith("web "));
    Fixture.Reply notExposed = get(p80, "api.example", "/v1");
    assertEquals(404, notExposed.status(), "port 80's server does not expose api.example: " + notExposed.body());
    assertTrue(get(p8080, "api.example", "/v1/x").body().startsWith("api "), "port: 8080 matches the server port");
    assertTrue(get(p8080, "web.example", "/").body().startsWith("web "), "*.example exposes web.example on 8080");
  }

  @Test
  void aServerHostsNamespacePartSaysWhoseVirtualServicesMayBindIt() {
    String yaml = """
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [team-a/a.example, team-a/b.example, ./own.example, ./theirs.example, "*/any.example"]
        """;
    for (String[] vs : new String[][] {{"team-a", "a.example"}, {"team-b", "b.example"}, {"default", "own.example"},
        {"team-a", "theirs.example"}, {"team-b", "any.example"}}) {
      yaml += """
          ---
          apiVersion: networking.istio.io/v1alpha3
          kind: VirtualService
          metadata: {name: %s, namespace: %s}
          spec:
            hosts: [%s]
            gateways: [default/edge]
            http:
            - directResponse: {status: 200, body: {string: "bound from %s"}}
          """.formatted(vs[1].replace('.', '-'), vs[0], vs[1], vs[0]);
    }
    Fixture.await(f.proxy.apply(new ProxySnapshot("1", Samples.parse(yaml, "inline"), instances)));
    int p80 = f.proxy.gatewayPort(80);
    assertEquals("bound from team-a", get(p80, "a.example", "/").body(), "team-a/ admits team-a's VirtualService");
    assertEquals(404, get(p80, "b.example", "/").status(), "team-a/ does not admit team-b's");
    assertEquals("bound from default", get(p80, "own.example", "/").body(), "./ admits the Gateway's namespace");
    assertEquals(404, get(p80, "theirs.example", "/").status(), "./ admits no other namespace");
    assertEquals("bound from team-b", get(p80, "any.example", "/").body(), "*/ admits any");
  }

  /**
   * A port the snapshot drops refuses connections as soon as the snapshot is applied: its
   * listener's close is awaited, not just begun (it was not, and the port could still accept).
   */
  @Test
  void aDroppedPortRefusesConnectionsOnceTheSnapshotIsApplied() throws Exception {
    for (int i = 0; i < 40; i++) {
      apply("on-" + i, """
            - port: {number: 80, name: http, protocol: HTTP}
              hosts: [web.example]
            - port: {number: 8080, name: http-api, protocol: HTTP}
              hosts: [api.example]
          """);
      int p8080 = f.proxy.gatewayPort(8080);
      apply("off-" + i, """
            - port: {number: 80, name: http, protocol: HTTP}
              hosts: [web.example]
          """);
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", p8080).close(),
          "round " + i + ": nothing listens on the dropped port");
    }
  }

  @Test
  void portsFollowSnapshotsWithoutDisturbingTheOthers() throws Exception {
    apply("1", """
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [web.example]
          - port: {number: 8080, name: http-api, protocol: HTTP}
            hosts: [api.example]
        """);
    int p80 = f.proxy.gatewayPort(80);
    int p8080 = f.proxy.gatewayPort(8080);
    assertTrue(get(p8080, "api.example", "/v1").body().startsWith("api "));
    // A kept-alive connection on port 80 must survive the change.
    assertTrue(get(p80, "web.example", "/").body().startsWith("web "));

    apply("2", """
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [web.example, api.example]
          - port: {number: 9000, name: http-9000, protocol: HTTP}
            hosts: [api.example]
        """);
    assertEquals(p80, f.proxy.gatewayPort(80), "port 80 is kept, not rebound");
    assertEquals(-1, f.proxy.gatewayPort(8080), "port 8080 is gone");
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", p8080).close(), "nothing listens on 8080's port");
    int p9000 = f.proxy.gatewayPort(9000);
    assertTrue(p9000 > 0);
    assertEquals(418, get(p9000, "api.example", "/v1").status(), "port: 8080 no longer matches on 9000");
    assertEquals(418, get(p80, "api.example", "/v1").status(), "port 80 now exposes api.example");
    assertTrue(get(p80, "web.example", "/").body().startsWith("web "));
  }

  @Test
  void aSidecarBindsNoGatewayPorts() {
    Fixture s = new Fixture();
    try {
      s.start(s.options().withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(80, 0), null)));
      Future<Void> applied = s.proxy.apply(new ProxySnapshot("1", Samples.parse("""
          apiVersion: networking.istio.io/v1alpha3
          kind: Gateway
          metadata: {name: edge}
          spec:
            selector: {istio: ingressgateway}
            servers:
            - port: {number: 80, name: http, protocol: HTTP}
              hosts: ["*"]
          """, "inline"), instances));
      Fixture.await(applied);
      assertEquals(-1, s.proxy.gatewayPort(80));
    } finally {
      s.close();
    }
  }
}
