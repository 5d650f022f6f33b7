package io.mizzen.kernel.pilot;

import static io.mizzen.kernel.pilot.PilotMesh.WAIT;
import static io.mizzen.kernel.pilot.PilotMesh.timeoutOf;
import static io.mizzen.kernel.pilot.PilotMesh.virtualService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.cli.MizzenCommand;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.pilot.PilotMesh.RecordingProxy;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.spi.config.ResourceKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The operator commands against a real control plane's API, and the watched config folder. */
class ControlPlaneApiTest {
  @TempDir
  Path home;

  record Run(int exit, String out, String err) {}

  static Run mizzen(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new MizzenCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void applyGetDeleteProxyStatusAndProxyConfigTalkToTheControlPlane() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel sidecar = null;
    try {
      String api = "127.0.0.1:" + cp.lookup(ControlPlaneApi.Endpoint.class).port();
      Path file = home.resolve("reviews.yaml");
      Files.writeString(file, virtualService("reviews", "default", "reviews", 4) + """
          ---
          apiVersion: networking.istio.io/v1alpha3
          kind: DestinationRule
          metadata:
            name: reviews
          spec:
            host: reviews
            subsets:
            - name: v1
              labels:
                version: v1
          """);
      Run applied = mizzen("apply", "-f", file.toString(), "--control-plane", api);
      assertEquals(0, applied.exit(), applied.err());
      assertTrue(applied.out().contains("VirtualService/default/reviews applied"), applied.out());

      Path bad = home.resolve("bad.yaml");
      Files.writeString(bad, virtualService("ratings", "default", "ratings", 1).replace("route:", "rout:"));
      Run refused = mizzen("apply", "-f", bad.toString(), "--control-plane", api);
      assertEquals(1, refused.exit());
      assertTrue(refused.err().contains("bad.yaml:") && refused.err().contains("rout"), refused.err());
      assertTrue(refused.err().contains("VirtualService/default/ratings refused"), refused.err());

      Run table = mizzen("get", "virtualservice", "--control-plane", api);
      assertEquals(0, table.exit(), table.err());
      assertTrue(table.out().contains("reviews") && !table.out().contains("ratings"), table.out());
      Run yaml = mizzen("get", "DestinationRule", "reviews", "-o", "yaml", "--control-plane", api);
      assertTrue(yaml.out().contains("kind: DestinationRule") && yaml.out().contains("version: v1"), yaml.out());

      sidecar = PilotMesh.sidecar(home.resolve("sc"), PilotMesh.grpcPort(cp), "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(sidecar);
      Conditions.await("the proxy's snapshot", WAIT, () -> "4s".equals(timeoutOf(proxy.last(), "reviews")));
      String id = "productpage~127.0.0.1~9080.default";
      Run status = Conditions.awaitValue("SYNCED in proxy-status", WAIT,
          () -> mizzen("proxy-status", "--control-plane", api), r -> r.out().contains("SYNCED"));
      assertTrue(status.out().contains(id), status.out());
      Run routes = mizzen("proxy-config", "routes", id, "--control-plane", api);
      assertTrue(routes.out().contains("reviews"), routes.out());
      Run clusters = mizzen("proxy-config", "clusters", id, "--control-plane", api);
      assertTrue(clusters.out().contains("outbound||v1|reviews"), clusters.out());
      Run endpoints = mizzen("proxy-config", "endpoints", id, "--control-plane", api);
      assertTrue(endpoints.out().contains("productpage.default.svc.cluster.local"), endpoints.out());
      assertEquals(1, mizzen("proxy-config", "routes", "nobody", "--control-plane", api).exit());

      Run deleted = mizzen("delete", "-f", file.toString(), "--control-plane", api);
      assertEquals(0, deleted.exit(), deleted.err());
      assertTrue(deleted.out().contains("VirtualService/default/reviews deleted"), deleted.out());
      Conditions.await("the deletion at the proxy", WAIT, () -> timeoutOf(proxy.last(), "reviews") == null);
    } finally {
      PilotMesh.stop(sidecar, cp);
    }
  }

  @Test
  void anUnreachableControlPlaneIsNamed() throws Exception {
    int port = PilotMesh.freePort();
    Run r = mizzen("proxy-status", "--control-plane", "127.0.0.1:" + port);
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("cannot reach the control plane at http://127.0.0.1:" + port), r.err());
  }

  @Test
  void theWatchedFolderPicksUpAddsEditsAndDeletesWithinOneSecondAndKeepsTheLastGoodOnAYamlError() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    try {
      ConfigStore store = cp.lookup(ConfigStore.class);
      Path folder = home.resolve("cp/config");
      ResourceKey key = new ResourceKey("VirtualService", "default", "reviews");
      Path file = folder.resolve("nested/reviews.yaml");
      Files.createDirectories(file.getParent());

      long start = System.nanoTime();
      Files.writeString(file, virtualService("reviews", "default", "reviews", 2));
      Conditions.await("the add", java.time.Duration.ofSeconds(1), () -> store.snapshot().get(key) != null);

      Files.writeString(file, virtualService("reviews", "default", "reviews", 5) + "# edited\n");
      Conditions.await("the edit", java.time.Duration.ofSeconds(1), () -> timeout(store, key).equals("5s"));

      Files.writeString(file, "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: [oops\n");
      FolderProblems problems = () -> cp.lookup(io.mizzen.kernel.config.FolderSource.class).problems();
      Conditions.await("the YAML error reported", WAIT, () -> problems.of(file.toString()).contains("YAML syntax error at line"));
      assertEquals("5s", timeout(store, key), "the last good version stays in force");

      Files.delete(file);
      Conditions.await("the delete", java.time.Duration.ofSeconds(1), () -> store.snapshot().get(key) == null);
      assertTrue(System.nanoTime() - start > 0);
    } finally {
      PilotMesh.stop(cp);
    }
  }

  interface FolderProblems {
    Map<String, java.util.List<String>> all();

    default String of(String file) {
      return String.valueOf(all().get(file));
    }
  }

  private static String timeout(ConfigStore store, ResourceKey key) {
    var r = store.snapshot().get(key);
    if (r == null || !(r.spec().get("http") instanceof java.util.List<?> http) || !(http.get(0) instanceof Map<?, ?> m)) {
      return "";
    }
    return String.valueOf(m.get("timeout"));
  }
}
