package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.authz.InboundSecurity;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TCP between two sidecars under capture, over the mesh's mutual TLS: web's app dials db's
 * cluster IP on 3306, web's outbound relays the connection (a mesh VirtualService's {@code tcp:}
 * rule) with ISTIO_MUTUAL to db's inbound, held to STRICT, which relays the decrypted bytes to
 * db's app, a server that speaks first, and holds them to its AuthorizationPolicy by web's
 * certificate; and an ingress gateway's {@code tcp:} route to db, over the same TLS. Each table
 * stands in for its pod's conntrack (the redirect iptables would make).
 */
class MeshTcpCaptureTest {
  private final Vertx vertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final List<MeshProxy> proxies = new ArrayList<>();
  private MeshProxy web;
  private MeshProxy db;
  private int greeter;
  private int version;
  private TestPki pki;


  private MeshProxy sidecar(TestPki pki, String name, int appPort, InetSocketAddress dialled) throws Exception {
    WorkloadInfo workload = new WorkloadInfo(name, "default", Map.of("app", name, "version", "v1"), name, "127.0.0.1", appPort);
    MeshProxy proxy = Sidecars.await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0)
            .withInbound(0, appPort).withSourceLabels(workload.labels()).withOriginalDestination(io.mizzen.proxy.capture.Dialled.to(dialled)),
        List.of(), MeshTls.create(new HeldCertificates(pki.workload(name))), Sidecars.TRUST_DOMAIN,
        InboundSecurity.of(vertx, workload, "istio-system", Sidecars.TRUST_DOMAIN, Clock.systemUTC())));
    proxies.add(proxy);
    return proxy;
  }

  @BeforeEach
  void start() throws Exception {
    NetServer server = Sidecars.await(vertx.createNetServer().connectHandler(sock -> sock.write("220 ready\r\n"))
        .listen(0, "127.0.0.1"));
    greeter = server.actualPort();
    pki = new TestPki("mesh");
    // web's app dials db's cluster IP; db's inbound sees the connection as dialled to its app's port.
    web = sidecar(pki, "web", 1, new InetSocketAddress("10.0.0.7", 3306));
    db = sidecar(pki, "db", greeter, new InetSocketAddress("127.0.0.1", greeter));
  }

  @AfterEach
  void stop() {
    proxies.forEach(MeshProxy::close);
    vertx.close();
  }

  /** db's service (its endpoint db's inbound, as the redirect would make it), ISTIO_MUTUAL, a tcp route, and {@code more}. */
  private void apply(String more) {
    ServiceInstance dbInstance = new ServiceInstance("db", "default", "db.default.svc.cluster.local", "127.0.0.1",
        List.of(new ServicePort("db", 3306, db.inboundPort(), "")), Map.of("app", "db", "version", "v1"), "db", "test");
    List<Resource> resources = new ArrayList<>(io.mizzen.proxy.Samples.parse("""
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: db, namespace: default}
        spec:
          host: db
          trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: db, namespace: default}
        spec:
          hosts: [db]
          tcp:
          - match: [{port: 3306}]
            route: [{destination: {host: db}}]
        ---
        apiVersion: security.istio.io/v1beta1
        kind: PeerAuthentication
        metadata: {name: strict, namespace: default}
        spec:
          mtls: {mode: STRICT}
        """ + more, "inline"));
    ProxySnapshot snapshot = new ProxySnapshot(Integer.toString(++version), resources, List.of(dbInstance));
    for (MeshProxy p : proxies) {
      Sidecars.await(p.apply(snapshot));
    }
  }

  /** What web's app hears from db's when it connects and waits: the greeting, or nothing (closed). */
  private String heard() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", web.outboundPort()), 5_000);
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[64];
      while (got.size() < 11) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        got.write(buf, 0, n);
      }
      return got.toString(StandardCharsets.US_ASCII);
    } catch (java.net.SocketException reset) {
      return "";
    }
  }

  @Test
  void aGatewaysTcpRouteReachesASidecarOverMutualTlsUnderStrict() throws Exception {
    WorkloadInfo gw = new WorkloadInfo("istio-ingressgateway", "istio-system", Map.of("istio", "ingressgateway"),
        "istio-ingressgateway-service-account", "127.0.0.1", 0);
    MeshProxy gateway = Sidecars.await(ProxyEngine.start(vertx, ProxyOptions.sidecar().withOutboundPort(0)
            .withGateways(java.util.Set.of()).withSourceLabels(gw.labels())
            .withGatewayListeners(new ProxyOptions.GatewayListeners(Map.of(31400, 0), null)),
        List.of(), MeshTls.create(new HeldCertificates(pki.workload("istio-ingressgateway-service-account"))),
        Sidecars.TRUST_DOMAIN, null));
    proxies.add(gateway);
    apply("""
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: tcp-gateway, namespace: default}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 31400, name: tcp, protocol: TCP}
            hosts: ["*"]
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: db-at-the-edge, namespace: default}
        spec:
          hosts: ["*"]
          gateways: [tcp-gateway]
          tcp:
          - route: [{destination: {host: db.default.svc.cluster.local, port: {number: 3306}}}]
        """);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", gateway.gatewayPort(31400)), 5_000);
      s.setSoTimeout(10_000);
      assertEquals("220 ready\r\n", new String(s.getInputStream().readNBytes(11), StandardCharsets.US_ASCII),
          "the gateway's relay speaks the mesh's TLS to db's STRICT inbound");
    }
  }

  /** An AuthorizationPolicy for db allowing only {@code principal}, as a document to append. */
  private static String allowOnly(String principal) {
    return """
        ---
        apiVersion: security.istio.io/v1beta1
        kind: AuthorizationPolicy
        metadata: {name: db, namespace: default}
        spec:
          selector: {matchLabels: {app: db}}
          rules:
          - from:
            - source: {principals: [%s]}
        """.formatted(principal);
  }

  @Test
  void tcpCrossesTheMeshOverMutualTlsUnderStrictAndIsHeldToPrincipals() throws Exception {
    apply("");
    assertEquals("220 ready\r\n", heard(), "STRICT takes the relay's mutual TLS");
    apply(allowOnly("cluster.local/ns/default/sa/web"));
    assertEquals("220 ready\r\n", heard(), "web's certificate names the principal the policy allows");
    apply(allowOnly("cluster.local/ns/default/sa/other"));
    assertEquals("", heard(), "another principal: db's inbound closes the relay");
  }
}
