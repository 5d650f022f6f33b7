package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** ops/observability: scrape configs aimed at the real ports and paths, a dashboard of standard metrics. */
class OpsObservabilityTest {

  private static final Set<String> STANDARD = Set.of("istio_requests_total", "istio_request_duration_milliseconds",
      "istio_request_bytes", "istio_response_bytes", "istio_tcp_sent_bytes_total", "istio_tcp_received_bytes_total",
      "istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total");
  private static final Pattern METRIC = Pattern.compile("\\bistio_[a-z_]+");
  private final Path dir = SharedSamples.repoRoot().resolve("ops/observability");

  private Map<?, ?> yaml(Path file) throws IOException {
    return (Map<?, ?>) KubeYaml.loader(file.toString()).loadFromString(Files.readString(file));
  }

  private static Map<?, ?> job(Map<?, ?> config, String name) {
    return ((List<?>) config.get("scrape_configs")).stream().map(Map.class::cast)
        .filter(j -> name.equals(j.get("job_name"))).findFirst().orElseThrow(() -> new AssertionError("no job " + name));
  }

  @Test
  void kubernetesJobsMatchTheManifestsAndTheInjectedSidecar() throws IOException {
    Map<?, ?> config = yaml(dir.resolve("prometheus.yml"));
    Map<?, ?> cp = job(config, "mizzen-control-plane");
    assertEquals("/metrics", cp.get("metrics_path"));
    String keep = String.valueOf(((Map<?, ?>) ((List<?>) cp.get("relabel_configs")).get(0)).get("regex"));
    assertEquals("mizzen-control-plane;http-monitoring", keep);
    String controlPlane = Files.readString(SharedSamples.repoRoot().resolve("ops/kubernetes/control-plane.yaml"));
    assertTrue(controlPlane.contains("{name: http-monitoring, port: 15014, targetPort: 15014}"), "Service port http-monitoring is 15014");

    Map<?, ?> proxies = job(config, "mizzen-proxies");
    assertEquals("/stats/prometheus", proxies.get("metrics_path"));
    Pattern portName = Pattern.compile(String.valueOf(((Map<?, ?>) ((List<?>) proxies.get("relabel_configs")).get(0)).get("regex")));
    // The injected sidecar's Prometheus port must be the one the job keeps.
    Map<String, Object> sidecar = InjectionTemplate.defaults().renderList("containers", values()).get(0);
    List<?> ports = (List<?>) sidecar.get("ports");
    Map<?, ?> prom = ports.stream().map(Map.class::cast).filter(p -> portName.matcher(String.valueOf(p.get("name"))).matches())
        .findFirst().orElseThrow(() -> new AssertionError("no sidecar port matches " + portName));
    assertEquals(15090, prom.get("containerPort"));
    assertFalse(portName.matcher("http-admin").matches());
  }

  private static Map<String, Object> values() {
    Map<String, Object> v = new java.util.HashMap<>();
    for (String k : List.of("proxyImage", "discoveryAddress", "trustDomain", "interceptionMode", "includeOutboundIPRanges",
        "excludeOutboundIPRanges", "includeInboundPorts", "excludeInboundPorts", "excludeOutboundPorts", "applicationPorts",
        "workloadName", "workloadKind", "serviceCluster")) {
      v.put(k, "x");
    }
    v.put("statusPort", 15021);
    v.put("adminPort", 15000);
    return v;
  }

  @Test
  void composeJobsTargetComposeHosts() throws IOException {
    Map<?, ?> config = yaml(dir.resolve("prometheus-compose.yml"));
    Map<?, ?> compose = yaml(SharedSamples.repoRoot().resolve("ops/docker/compose.yaml"));
    Set<String> hosts = new HashSet<>();
    ((Map<?, ?>) compose.get("services")).forEach((name, svc) -> {
      hosts.add(String.valueOf(name));
      Object hostname = ((Map<?, ?>) svc).get("hostname");
      if (hostname != null) {
        hosts.add(String.valueOf(hostname));
      }
    });
    for (String jobName : List.of("mizzen-control-plane", "mizzen-proxies")) {
      Map<?, ?> job = job(config, jobName);
      String port = jobName.equals("mizzen-proxies") ? "15090" : "15014";
      for (Object sc : (List<?>) job.get("static_configs")) {
        for (Object target : (List<?>) ((Map<?, ?>) sc).get("targets")) {
          String[] hp = String.valueOf(target).split(":");
          assertTrue(hosts.contains(hp[0]), target + " is not a compose host");
          assertEquals(port, hp[1], String.valueOf(target));
        }
      }
    }
  }

  @Test
  void everyDashboardPanelQueriesStandardMetricsOnly() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(dir.resolve("grafana-mesh-dashboard.json")));
    JsonArray panels = dashboard.getJsonArray("panels");
    assertTrue(panels.size() >= 8);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      JsonArray targets = panel.getJsonArray("targets");
      assertFalse(targets == null || targets.isEmpty(), "panel '" + panel.getString("title") + "' has no query");
      for (int t = 0; t < targets.size(); t++) {
        String expr = targets.getJsonObject(t).getString("expr");
        Matcher m = METRIC.matcher(expr);
        boolean any = false;
        while (m.find()) {
          String name = m.group().replaceAll("_(bucket|sum|count)$", "");
          assertTrue(STANDARD.contains(name), "panel '" + panel.getString("title") + "' uses non-standard " + m.group());
          seen.add(name);
          any = true;
        }
        assertTrue(any, "panel '" + panel.getString("title") + "' names no standard metric: " + expr);
      }
    }
    assertTrue(seen.containsAll(Set.of("istio_requests_total", "istio_request_duration_milliseconds")), String.valueOf(seen));
    assertEquals(STANDARD, seen, "every standard metric is on the dashboard");
  }
}
