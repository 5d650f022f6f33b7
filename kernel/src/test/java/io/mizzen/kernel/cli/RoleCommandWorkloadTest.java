package io.mizzen.kernel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mizzen.kernel.settings.AgentSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Flags win over the environment, the environment over mizzen.yaml. */
class RoleCommandWorkloadTest {
  private static final AgentSettings FILE = new AgentSettings("cp.file:15010", "reviews", "file-ns",
      Map.of("app", "reviews"), "file-sa", "10.0.0.1", 9080, 9080);
  private static final Map<String, String> ENV = Map.of("POD_NAMESPACE", "env-ns", "INSTANCE_IP", "10.0.0.2",
      "MIZZEN_DISCOVERY_ADDRESS", "cp.env:15010");

  @Test
  void flagsOverEnvironmentOverFile() {
    RoleCommand.Sidecar sidecar = new RoleCommand.Sidecar();
    new CommandLine(sidecar).parseArgs("--namespace", "flag-ns", "--labels", "app=reviews,version=v3", "--app-port", "9999");
    AgentSettings a = sidecar.agent(FILE, ENV);
    assertEquals(new AgentSettings("cp.env:15010", "reviews", "flag-ns", Map.of("app", "reviews", "version", "v3"),
        "file-sa", "10.0.0.2", 9999), a);
  }

  @Test
  void aBadFlagIsNamed() {
    RoleCommand.Sidecar sidecar = new RoleCommand.Sidecar();
    new CommandLine(sidecar).parseArgs("--control-plane", "nowhere");
    assertEquals("--control-plane: 'nowhere' is not host:port",
        assertThrows(IllegalArgumentException.class, () -> sidecar.agent(FILE, Map.of())).getMessage());
    RoleCommand.Sidecar labels = new RoleCommand.Sidecar();
    new CommandLine(labels).parseArgs("--labels", "version");
    assertEquals("--labels: 'version' is not key=value",
        assertThrows(IllegalArgumentException.class, () -> labels.agent(FILE, Map.of())).getMessage());
  }
}
