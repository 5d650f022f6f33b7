package io.mizzen.kernel.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeshSettingsLoaderTest {
  @TempDir Path dir;

  @Test
  void absentFileGivesDocumentedDefaults() {
    MeshSettings s = MeshSettingsLoader.load(dir.resolve("none.yaml"), dir);
    assertEquals("cluster.local", s.trustDomain());
    assertEquals("istio-system", s.rootNamespace());
    assertEquals(dir.resolve("plugins"), s.pluginsDir());
    assertEquals(15000, s.ports().admin());
    assertEquals(15001, s.ports().outbound());
    assertEquals(15006, s.ports().inbound());
    assertEquals(9091, s.ports().mixer());
    assertFalse(s.cluster().enabled());
    assertEquals(MeshSettings.IoTransport.AUTO, s.transport());
  }

  @Test
  void readsEveryField() throws Exception {
    Path file = Files.writeString(dir.resolve("mizzen.yaml"), """
        trustDomain: example.org
        rootNamespace: mesh-root
        pluginsDir: ext
        stateDir: /var/lib/mizzen
        pluginScanInterval: 250ms
        ports:
          admin: 0
          outbound: 16001
        cluster:
          enabled: true
          name: prod
          port: 5801
          members: [10.0.0.1:5801, 10.0.0.2:5801]
        plugins:
          settings:
            header-stamp: {header: x-a, value: b}
        transport: nio
        """);
    MeshSettings s = MeshSettingsLoader.load(file, Path.of("/elsewhere"));
    assertEquals("example.org", s.trustDomain());
    assertEquals("mesh-root", s.rootNamespace());
    assertEquals(dir.resolve("ext"), s.pluginsDir());
    assertEquals(Path.of("/var/lib/mizzen"), s.stateDir());
    assertEquals(Duration.ofMillis(250), s.pluginScanInterval());
    assertEquals(0, s.ports().admin());
    assertEquals(16001, s.ports().outbound());
    assertEquals(15006, s.ports().inbound());
    assertTrue(s.cluster().enabled());
    assertEquals(List.of("10.0.0.1:5801", "10.0.0.2:5801"), s.cluster().members());
    assertEquals("x-a", s.pluginSettings().get("header-stamp").get("header"));
    assertEquals(MeshSettings.IoTransport.NIO, s.transport());
    assertEquals(MeshSettings.IoTransport.IO_URING, MeshSettingsLoader.load(
        Files.writeString(dir.resolve("uring.yaml"), "transport: io_uring\n"), dir).transport());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "unknown top-level field|trustDomian: x|1|trustDomian: unknown field",
    "port out of range|ports:\\n  admin: 70000|2|ports.admin: must be a port number",
    "port not a number|ports:\\n  inbound: http|2|ports.inbound: must be a port number",
    "unknown port|ports:\\n  admn: 1|2|ports.admn: unknown field",
    "bad duration|pluginScanInterval: soon|1|pluginScanInterval: 'soon' is not a duration",
    "bad trust domain|trustDomain: Not_Valid|1|trustDomain: 'Not_Valid' is not a valid trust domain",
    "bad boolean|cluster:\\n  enabled: yes please|2|cluster.enabled: must be true or false",
    "bad member|cluster:\\n  members: [nohost]|2|cluster.members[0]: 'nohost' is not host:port",
    "ports not a mapping|ports: 15000|1|ports: must be a mapping",
    "yaml syntax|ports: [1, 2|1|YAML syntax",
    "unknown transport|transport: epoll|1|transport: 'epoll' is not one of auto, io_uring, nio",
  })
  void invalidSettingsNameFileLineAndField(String name, String yaml, int line, String expected)
      throws Exception {
    Path file = Files.writeString(dir.resolve("bad.yaml"), yaml.replace("\\n", "\n"));
    SettingsException e = assertThrows(SettingsException.class,
        () -> MeshSettingsLoader.load(file, dir));
    String problem = String.join("\n", e.problems());
    assertTrue(problem.contains(file.toString()), problem);
    if (!name.equals("yaml syntax")) {
      assertTrue(problem.contains(file + ":" + line + ": "), problem);
    }
    assertTrue(problem.contains(expected), problem);
  }

  @Test
  void collectsEveryProblemNotJustTheFirst() throws Exception {
    Path file = Files.writeString(dir.resolve("two.yaml"), "ports:\n  admin: -1\n  grpc: x\n");
    SettingsException e = assertThrows(SettingsException.class,
        () -> MeshSettingsLoader.load(file, dir));
    assertEquals(2, e.problems().size(), e.getMessage());
  }
}
