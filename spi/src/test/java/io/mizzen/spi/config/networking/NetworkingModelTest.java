package io.mizzen.spi.config.networking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.config.bind.Bound;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class NetworkingModelTest {

  static Path samples() {
    String shared = System.getProperty("mizzen.shared");
    Path base = shared != null ? Path.of(shared) : Path.of("../../shared");
    if (!Files.isDirectory(base.resolve("istio-samples"))) {
      base = Path.of("/work/shared");
    }
    return base.resolve("istio-samples");
  }

  @SuppressWarnings("unchecked")
  static List<Resource> read(Path file) throws IOException {
    List<Resource> out = new ArrayList<>();
    int index = 0;
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
      if (doc instanceof Map<?, ?> map) {
        Map<String, Object> meta = (Map<String, Object>) map.get("metadata");
        out.add(new Resource((String) map.get("apiVersion"), (String) map.get("kind"), (String) meta.get("name"),
            (String) meta.get("namespace"), null, null, (Map<String, Object>) map.get("spec"),
            new SourceLocation(file.toString(), index, 0)));
      }
      index++;
    }
    return out;
  }

  static Resource vs(String yamlSpec) {
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yamlSpec);
    return new Resource("networking.istio.io/v1alpha3", "VirtualService", "t", null, null, null, spec,
        SourceLocation.unknown("test"));
  }

  @Test
  void everyBookinfoNetworkingSampleBindsWithoutError() throws IOException {
    int bound = 0;
    List<Path> files;
    try (Stream<Path> s = Files.list(samples().resolve("bookinfo/networking"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 20, "found the samples: " + files);
    for (Path file : files) {
      for (Resource r : read(file)) {
        Class<? extends Record> type = NetworkingModel.specType(r.kind()).orElseThrow();
        Bound<? extends Record> b = NetworkingModel.bind(r, type);
        assertTrue(b.valid(), file + " " + r.key() + ": " + b.errors());
        assertEquals(type, b.value().getClass());
        bound++;
      }
    }
    assertTrue(bound >= 38, "bound " + bound + " resources");
  }

  @Test
  void weightsFaultsAndPortsBindToTheirTypes() throws IOException {
    Path dir = samples().resolve("bookinfo/networking");
    VirtualService split = NetworkingModel.virtualService(read(dir.resolve("virtual-service-reviews-80-20.yaml")).get(0)).orElseThrow();
    assertEquals(List.of(80, 20), split.http().get(0).route().stream().map(HttpRouteDestination::weight).toList());
    assertEquals("v2", split.http().get(0).route().get(1).destination().subset());

    VirtualService delay = NetworkingModel.virtualService(read(dir.resolve("virtual-service-ratings-test-delay.yaml")).get(0)).orElseThrow();
    HttpRoute first = delay.http().get(0);
    assertEquals(Duration.ofSeconds(7), first.fault().delay().fixedDelay());
    assertEquals(100.0, first.fault().delay().effectivePercent());
    assertEquals("jason", first.match().get(0).headers().get("end-user").exact());
    assertTrue(delay.http().get(1).match().isEmpty());

    VirtualService abort = NetworkingModel.virtualService(read(dir.resolve("fault-injection-details-v1.yaml")).get(0)).orElseThrow();
    assertEquals(555, abort.http().get(0).fault().abort().httpStatus());
    assertEquals(100.0, abort.http().get(0).fault().abort().effectivePercent());

    List<Resource> egress = read(dir.resolve("egress-rule-google-apis.yaml"));
    ServiceEntry se = NetworkingModel.serviceEntry(egress.get(0)).orElseThrow();
    assertEquals(ServiceEntry.Resolution.DNS, se.resolution());
    assertEquals(443, se.ports().get(1).number());
    assertEquals(80, NetworkingModel.virtualService(egress.get(1)).orElseThrow().http().get(0).match().get(0).port());
    DestinationRule dr = NetworkingModel.destinationRule(egress.get(2)).orElseThrow();
    assertEquals(ClientTlsSettings.Mode.SIMPLE, dr.trafficPolicy().portLevelSettings().get(0).tls().mode());
    assertEquals(LoadBalancerSettings.Simple.ROUND_ROBIN, dr.trafficPolicy().loadBalancer().simple());

    Gateway gw = NetworkingModel.gateway(read(dir.resolve("bookinfo-gateway.yaml")).get(0)).orElseThrow();
    assertEquals("ingressgateway", gw.selector().get("istio"));
    assertEquals(List.of("*"), gw.servers().get(0).hosts());
  }

  @Test
  void everyProblemIsReportedWithItsFieldPath() {
    Bound<VirtualService> b = NetworkingModel.virtualService(vs("""
        hosts: [reviews]
        http:
        - rout:
          - destination: {host: reviews}
        - route:
          - destination: {host: reviews, port: {number: http}}
            weight: "fifty"
          timeout: 3 seconds
          retries: {attempts: 3, perTryTimeout: 2x}
          match:
          - uri: {exact: /a, prefix: /b}
          - uri: {}
        - route:
          - destination: {subset: v1}
        tcp: {}
        """));
    assertFalse(b.valid());
    List<String> fields = b.errors().stream().map(ConfigError::field).toList();
    assertTrue(fields.contains("spec.http[0].rout"), fields.toString());
    assertTrue(b.errors().get(fields.indexOf("spec.http[0].rout")).message().contains("did you mean 'route'"));
    assertTrue(fields.contains("spec.http[1].route[0].destination.port.number"), fields.toString());
    assertTrue(fields.contains("spec.http[1].route[0].weight"), fields.toString());
    assertTrue(fields.contains("spec.http[1].timeout"), fields.toString());
    assertTrue(fields.contains("spec.http[1].retries.perTryTimeout"), fields.toString());
    assertTrue(fields.contains("spec.http[1].match[0].uri"), fields.toString());
    assertTrue(fields.contains("spec.http[1].match[1].uri"), fields.toString());
    assertTrue(fields.contains("spec.http[2].route[0].destination.host"), fields.toString());
    assertTrue(fields.contains("spec.tcp"), fields.toString());
    assertEquals(9, b.errors().size(), b.errors().toString());
  }

  @Test
  void badEnumListsTheAllowedValues() {
    Resource dr = new Resource("networking.istio.io/v1beta1", "DestinationRule", "r", "ns", null, null,
        Map.of("host", "reviews", "trafficPolicy", Map.of("loadBalancer", Map.of("simple", "ROUND_ROBBIN"))),
        SourceLocation.unknown("test"));
    Bound<DestinationRule> b = NetworkingModel.destinationRule(dr);
    assertEquals(1, b.errors().size());
    assertEquals("spec.trafficPolicy.loadBalancer.simple", b.errors().get(0).field());
    assertTrue(b.errors().get(0).message().contains("ROUND_ROBIN, LEAST_CONN, RANDOM, PASSTHROUGH"));
  }

  @Test
  void aMissingRequiredFieldAndTheWrongKindAreErrors() {
    Bound<VirtualService> noHosts = NetworkingModel.virtualService(vs("http: []"));
    assertEquals("spec.hosts", noHosts.errors().get(0).field());
    Resource gw = new Resource("networking.istio.io/v1alpha3", "Gateway", "g", null, null, null, Map.of(),
        SourceLocation.unknown("test"));
    Bound<VirtualService> wrong = NetworkingModel.bind(gw, VirtualService.class);
    assertNull(wrong.value());
    assertEquals("kind", wrong.errors().get(0).field());
  }

  @Test
  void snakeCaseAndEmptyRecordFieldsReadAsIstioReadsThem() {
    VirtualService v = NetworkingModel.virtualService(vs("""
        hosts: [a]
        http:
        - route: [{destination: {host: a}}]
          fault: {abort: {http_status: 503, percentage: {value: 12.5}}}
          mirror_percent: 7
        """)).orElseThrow();
    assertEquals(503, v.http().get(0).fault().abort().httpStatus());
    assertEquals(12.5, v.http().get(0).fault().abort().effectivePercent());
    assertEquals(7.0, v.http().get(0).effectiveMirrorPercent());
  }
}
