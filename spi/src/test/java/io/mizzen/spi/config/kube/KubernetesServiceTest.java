package io.mizzen.spi.config.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.discovery.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesServiceTest {

  static Resource service(Map<String, Object> spec) {
    return new Resource("v1", "Service", "reviews", "shop", Map.of("app", "reviews"), null, spec,
        SourceLocation.unknown("test"));
  }

  @Test
  void givesDiscoveryItsPortsAndSelector() {
    KubernetesService svc = KubernetesService.of(service(Map.of(
        "selector", Map.of("app", "reviews"),
        "ports", List.of(
            Map.of("name", "http-web", "port", 9080, "targetPort", 8080),
            Map.of("name", "grpc", "port", 9090, "targetPort", "grpc-port"),
            Map.of("port", 3306))))).orElseThrow();
    assertEquals(Map.of("app", "reviews"), svc.selector());
    assertEquals(List.of(new ServicePort("http-web", 9080, 8080, "HTTP"), new ServicePort("grpc", 9090, 9090, "GRPC"),
        new ServicePort("", 3306, 3306, "TCP")), svc.servicePorts());
  }

  @Test
  void refusesAPortOfTheWrongType() {
    Bound<KubernetesService> b = KubernetesService.of(service(Map.of("ports", List.of(Map.of("port", "http")))));
    assertFalse(b.valid());
    assertEquals("spec.ports[0].port", b.errors().get(0).field());
  }
}
