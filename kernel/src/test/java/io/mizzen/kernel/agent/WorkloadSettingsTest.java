package io.mizzen.kernel.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.settings.AgentSettings;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.settings.MeshSettingsLoader;
import io.mizzen.kernel.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the agent's workload comes from: mizzen.yaml, then the environment kube-inject sets. */
class WorkloadSettingsTest {
  private static final String YAML = """
      controlPlane: istiod.example:15010
      config:
        folder: my-config
      workload:
        service: reviews
        namespace: bookinfo
        labels:
          app: reviews
          version: v2
        serviceAccount: bookinfo-reviews
        address: 10.1.2.3
        appPort: 9080
      """;

  @Test
  void mizzenYamlGivesTheWorkloadTheControlPlaneAndTheConfigFolder() {
    MeshSettings s = MeshSettingsLoader.parse(YAML, "mizzen.yaml", Path.of("/mesh"));
    assertEquals(new AgentSettings("istiod.example:15010", "reviews", "bookinfo",
        Map.of("app", "reviews", "version", "v2"), "bookinfo-reviews", "10.1.2.3", 9080), s.agent());
    assertEquals(Path.of("/mesh/my-config"), s.configFolder());
    assertEquals(Path.of("/mesh/config"), MeshSettings.defaults(Path.of("/mesh")).configFolder());
  }

  @Test
  void badWorkloadSettingsNameFileLineAndField() {
    SettingsException e = assertThrows(SettingsException.class, () -> MeshSettingsLoader.parse(
        "controlPlane: nowhere\nworkload:\n  appPort: 70000\n  sevice: x\n", "mizzen.yaml", Path.of("/")));
    String all = String.join("\n", e.problems());
    assertTrue(all.contains("mizzen.yaml:1: controlPlane: 'nowhere' is not host:port"), all);
    assertTrue(all.contains("mizzen.yaml:3: workload.appPort"), all);
    assertTrue(all.contains("mizzen.yaml:4: workload.sevice: unknown field"), all);
  }

  @Test
  void theEnvironmentWinsOverTheFile() {
    AgentSettings file = MeshSettingsLoader.parse(YAML, "mizzen.yaml", Path.of("/mesh")).agent();
    AgentSettings a = WorkloadEnvironment.over(file, Map.of(
        "POD_NAMESPACE", "shop", "SERVICE_ACCOUNT", "shop-sa", "INSTANCE_IP", "10.9.9.9",
        "MIZZEN_DISCOVERY_ADDRESS", "pilot.shop:15010", "MIZZEN_SERVICE_CLUSTER", "cart.shop",
        "MIZZEN_APPLICATION_PORTS", "8080,8081", "MIZZEN_WORKLOAD_LABELS", "app=cart,version=v3"));
    assertEquals(new AgentSettings("pilot.shop:15010", "cart", "shop", Map.of("app", "cart", "version", "v3"),
        "shop-sa", "10.9.9.9", 8080), a);
    // Unset or empty variables leave the file's values alone.
    assertEquals(file, WorkloadEnvironment.over(file, Map.of("POD_NAMESPACE", "")));
  }

  @Test
  void malformedEnvironmentIsNamed() {
    AgentSettings d = AgentSettings.defaults();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkloadEnvironment.over(d,
        Map.of("MIZZEN_APPLICATION_PORTS", "http"))).getMessage().startsWith("MIZZEN_APPLICATION_PORTS"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkloadEnvironment.over(d,
        Map.of("MIZZEN_WORKLOAD_LABELS", "app"))).getMessage().startsWith("MIZZEN_WORKLOAD_LABELS"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> WorkloadEnvironment.over(d,
        Map.of("MIZZEN_DISCOVERY_ADDRESS", "pilot"))).getMessage().startsWith("MIZZEN_DISCOVERY_ADDRESS"));
  }

  @Test
  void backoffGrowsToItsCapWithJitterBetweenHalfAndAll() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3));
    assertEquals(50, b.delay(0, () -> 0.0).toMillis());
    assertEquals(99, b.delay(0, () -> 0.999).toMillis());
    assertEquals(400, b.delay(3, () -> 0.0).toMillis());
    assertEquals(1500, b.delay(30, () -> 0.0).toMillis());
    assertTrue(b.delay(30, () -> 0.999).toMillis() <= 3000);
  }
}
