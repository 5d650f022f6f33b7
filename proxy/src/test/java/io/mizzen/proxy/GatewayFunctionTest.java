package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.proxy.ProxyListeners;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.ProxySnapshotSink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy as the kernel hosts it in the INGRESS role: Gateway server ports bound as the
 * settings say, published in {@link ProxyListeners#gateways()} after each snapshot, and a
 * {@code credentialName} found in the state folder's {@code gateway-credentials}.
 */
class GatewayFunctionTest {
  @TempDir
  Path state;

  /** The host's side of the contract, as the kernel provides it; lies outside the proxy. */
  private record Host(Vertx vertx, Path stateDir, Map<String, Object> settings, Map<Class<?>, Object> published)
      implements MeshContext {
    @Override public <T> Future<T> executeBlocking(Callable<T> task) { return vertx.executeBlocking(task); }
    @Override public String trustDomain() { return "cluster.local"; }
    @Override public String rootNamespace() { return "istio-system"; }
    @Override public Role role() { return Role.INGRESS; }
    @Override public Map<String, Object> settings(String name) { return settings; }
    @Override public <T> List<T> extensions(Class<T> point) { return List.of(); }
    @Override public <T> T lookup(Class<T> type) { return type.cast(published.get(type)); }
    @Override public <T> void publish(Class<T> type, T service) { published.put(type, service); }
    @Override public io.mizzen.spi.MeshPorts ports() { return io.mizzen.spi.MeshPorts.ephemeral(); }
  }

  @Test
  void ingressPublishesItsGatewayPortsAndReadsCredentialsFromTheStateFolder() throws Exception {
    try (Fixture f = new Fixture()) {
      GatewayPki pki = new GatewayPki(state, "edge");
      pki.leaf("site.example", state.resolve("gateway-credentials/site"), "tls.crt", "tls.key");
      Host host = new Host(f.vertx, state, Map.of("outboundPort", 0, "mixer", "off", "accessLog", false,
          "gatewayPorts", Map.of("0", 0)), new ConcurrentHashMap<>());
      ProxyFunction function = new ProxyFunction();
      Fixture.await(function.start(host));
      try {
        int web = f.named("web").actualPort();
        Fixture.await(host.lookup(ProxySnapshotSink.class).apply(new ProxySnapshot("1", Samples.parse("""
            apiVersion: networking.istio.io/v1alpha3
            kind: Gateway
            metadata: {name: edge}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 8443, name: https, protocol: HTTPS}
                hosts: [site.example]
                tls: {mode: SIMPLE, credentialName: site}
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: VirtualService
            metadata: {name: site}
            spec:
              hosts: [site.example]
              gateways: [edge]
              http:
              - route: [{destination: {host: web}}]
            """, "inline"), List.of(GatewayListenerTest.instance("web", web)))));
        ProxyListeners listeners = host.lookup(ProxyListeners.class);
        Integer bound = listeners.gateways().get(8443);
        assertTrue(bound != null && bound > 0, "published after the snapshot: " + listeners);
        HttpClient client = f.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setForceSni(true)
            .setTrustOptions(new PemTrustOptions().addCertPath(pki.caPem.toString())));
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI("/hello").setHost("site.example")
            .setPort(8443).setServer(SocketAddress.inetSocketAddress(bound, "127.0.0.1")).setTimeout(20_000);
        String body = Fixture.await(client.request(o).compose(r -> r.send().compose(resp -> resp.body())).map(Object::toString));
        assertTrue(body.startsWith("web GET /hello"), body);
        client.close();
      } finally {
        Fixture.await(function.stop());
      }
    }
  }

  /**
   * The hosted ingress role with its workload published (as the agent does) enforces the
   * AuthorizationPolicies that select it: a DENY on a path answers 403 there, other paths pass.
   */
  @Test
  void theHostedIngressEnforcesTheAuthorizationPoliciesSelectingIt() throws Exception {
    try (Fixture f = new Fixture()) {
      Map<Class<?>, Object> published = new ConcurrentHashMap<>();
      published.put(io.mizzen.spi.proxy.WorkloadInfo.class, new io.mizzen.spi.proxy.WorkloadInfo("istio-ingressgateway",
          "istio-system", Map.of("istio", "ingressgateway"), "istio-ingressgateway-service-account", "127.0.0.1", 0));
      Host host = new Host(f.vertx, state, Map.of("outboundPort", 0, "mixer", "off", "accessLog", false,
          "gatewayPorts", Map.of("0", 0)), published);
      ProxyFunction function = new ProxyFunction();
      Fixture.await(function.start(host));
      try {
        Fixture.await(host.lookup(ProxySnapshotSink.class).apply(new ProxySnapshot("1", Samples.parse("""
            apiVersion: networking.istio.io/v1alpha3
            kind: Gateway
            metadata: {name: edge, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers:
              - port: {number: 8080, name: http, protocol: HTTP}
                hosts: ["*"]
            ---
            apiVersion: networking.istio.io/v1alpha3
            kind: VirtualService
            metadata: {name: site, namespace: istio-system}
            spec:
              hosts: ["*"]
              gateways: [edge]
              http:
              - directResponse: {status: 200, body: {string: open}}
            ---
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: no-admin, namespace: istio-system}
            spec:
              selector: {matchLabels: {istio: ingressgateway}}
              action: DENY
              rules:
              - to:
                - operation:
                    paths: ["/admin*"]
            """, "inline"), List.of())));
        int bound = host.lookup(ProxyListeners.class).gateways().get(8080);
        HttpClient client = f.vertx.createHttpClient();
        for (String[] want : List.of(new String[] {"/admin/users", "403"}, new String[] {"/hello", "200"})) {
          RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(want[0]).setHost("site.example")
              .setPort(8080).setServer(SocketAddress.inetSocketAddress(bound, "127.0.0.1")).setTimeout(20_000);
          int status = Fixture.await(client.request(o).compose(r -> r.send()).map(r -> r.statusCode()));
          assertTrue(status == Integer.parseInt(want[1]), want[0] + " answered " + status);
        }
        client.close();
      } finally {
        Fixture.await(function.stop());
      }
    }
  }
}
