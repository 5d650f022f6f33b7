package io.mizzen.kernel.pilot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.config.ConfigLoader;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Sidecar applies to a proxy, and what it and exportTo let through. */
class ProxyScopeTest {
  private static final List<Resource> SIDECARS = ConfigLoader.create().read("t", """
      apiVersion: networking.istio.io/v1alpha3
      kind: Sidecar
      metadata: {name: default, namespace: shop}
      spec:
        egress:
        - hosts: ["./*", "istio-system/*"]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: Sidecar
      metadata: {name: cart, namespace: shop}
      spec:
        workloadSelector:
          labels: {app: cart}
        egress:
        - hosts: ["payments/*.payments.svc.cluster.local"]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: Sidecar
      metadata: {name: default, namespace: istio-system}
      spec:
        egress:
        - hosts: ["*/*"]
      """).resources();

  private static Resource vs(String ns, String host, List<String> exportTo) {
    return new Resource("networking.istio.io/v1alpha3", "VirtualService", host, ns, Map.of(), Map.of(),
        exportTo == null ? Map.of("hosts", List.of(host)) : Map.of("hosts", List.of(host), "exportTo", exportTo), null);
  }

  private static ServiceInstance instance(String service, String ns) {
    return new ServiceInstance(service, ns, service + "." + ns + ".svc.cluster.local", "10.0.0.1", List.of(), Map.of(),
        null, "test");
  }

  @Test
  void theWorkloadSelectorWinsThenTheNamespaceDefaultThenTheRootDefault() {
    ProxyScope cart = ProxyScope.of(new ProxyNode("c", "cart", "shop", Map.of("app", "cart"), "", "sidecar"), "istio-system", SIDECARS);
    ProxyScope web = ProxyScope.of(new ProxyNode("w", "web", "shop", Map.of("app", "web"), "", "sidecar"), "istio-system", SIDECARS);
    ProxyScope other = ProxyScope.of(new ProxyNode("o", "x", "other", Map.of(), "", "sidecar"), "istio-system", SIDECARS);
    assertTrue(cart.visible(vs("payments", "api.payments.svc.cluster.local", null)));
    assertFalse(cart.visible(vs("shop", "web.shop.svc.cluster.local", null)));
    assertTrue(web.visible(vs("shop", "web.shop.svc.cluster.local", null)));
    assertFalse(web.visible(vs("payments", "api.payments.svc.cluster.local", null)));
    assertTrue(other.visible(vs("payments", "api.payments.svc.cluster.local", null)), "the root default imports */*");
    assertTrue(cart.visible(instance("api", "payments")));
    assertFalse(cart.visible(instance("web", "shop")));
    assertTrue(cart.visible(SIDECARS.get(1)) && !cart.visible(SIDECARS.get(0)), "only the Sidecar that applies");
    // Proxies of one namespace under different Sidecars do not share a view.
    assertNotEquals(cart.key(), web.key());
    assertEquals(web.key(), ProxyScope.of(new ProxyNode("w2", "web", "shop", Map.of(), "", "sidecar"), "istio-system",
        SIDECARS).key());
  }

  @Test
  void exportToLimitsWhoSeesAResource() {
    List<Resource> none = List.of();
    ProxyScope inA = ProxyScope.of(new ProxyNode("a", "s", "a", Map.of(), "", "sidecar"), "istio-system", none);
    ProxyScope inB = ProxyScope.of(new ProxyNode("b", "s", "b", Map.of(), "", "sidecar"), "istio-system", none);
    assertTrue(inA.visible(vs("a", "h", List.of("."))));
    assertFalse(inB.visible(vs("a", "h", List.of("."))));
    assertTrue(inB.visible(vs("a", "h", List.of("b"))));
    assertTrue(inB.visible(vs("a", "h", List.of("*"))));
    assertFalse(inB.visible(vs("a", "h", List.of("c"))));
  }
}
