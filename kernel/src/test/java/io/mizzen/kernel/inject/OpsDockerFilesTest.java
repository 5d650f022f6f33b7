package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mizzen.kernel.inject.iptables.IptablesCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Static checks of ops/docker (Docker cannot run on this machine): the Dockerfile's stages,
 * user, flags and ports; compose.yaml's services, commands, ports and pod-like wiring.
 */
class OpsDockerFilesTest {

  private static final Set<String> ROLES = Set.of("sidecar", "iptables", "control-plane", "ingress");
  private static final Pattern PORT = Pattern.compile("^(\\d{1,5}):(\\d{1,5})$");
  private final Path dir = SharedSamples.repoRoot().resolve("ops/docker");

  @Test
  void dockerfileIsMultiStageAndRunsAsTheProxyUser() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("Dockerfile")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertEquals(2, froms.size(), "build stage + runtime stage: " + froms);
    assertTrue(froms.get(0).matches("FROM maven:\\S*17\\S* AS build"), froms.get(0));
    assertTrue(froms.get(1).matches("FROM \\S*jre\\S* AS runtime"), "runtime is a JRE, not a JDK: " + froms.get(1));
    int runtimeStart = lines.indexOf(froms.get(1));
    List<String> runtime = lines.subList(runtimeStart, lines.size());
    assertTrue(runtime.stream().anyMatch(l -> l.startsWith("COPY --from=build ")), "the runtime copies the built distribution");
    List<String> users = runtime.stream().filter(l -> l.startsWith("USER ")).toList();
    assertEquals(List.of("USER 1337:1337"), users);
    assertTrue(runtime.indexOf(users.get(0)) > runtime.indexOf(runtime.stream().filter(l -> l.startsWith("COPY")).findFirst().orElseThrow()),
        "USER comes after the files are in place");
    assertEquals("ENTRYPOINT [\"mizzen\"]", runtime.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow());
    String javaOpts = runtime.stream().filter(l -> l.startsWith("ENV JAVA_TOOL_OPTIONS=")).findFirst().orElseThrow();
    for (String flag : List.of("-XX:+UseSerialGC", "-Xmx64m", "-Xss256k", "-XX:MaxDirectMemorySize=", "-XX:ReservedCodeCacheSize=")) {
      assertTrue(javaOpts.contains(flag), "missing " + flag + " in " + javaOpts);
    }
    String expose = runtime.stream().filter(l -> l.startsWith("EXPOSE ")).findFirst().orElseThrow();
    assertEquals(Set.of("15001", "15006", "15000", "15021", "15090"), Set.of(expose.substring(7).split("\\s+")));
    assertTrue(String.join("\n", runtime).contains("iptables"), "the init container needs the iptables binary");
  }

  @Test
  void composeRunsBookinfoWithASidecarPerWorkload() throws IOException {
    Map<?, ?> compose = (Map<?, ?>) KubeYaml.loader("compose.yaml").loadFromString(Files.readString(dir.resolve("compose.yaml")));
    Map<?, ?> services = (Map<?, ?>) compose.get("services");
    List<String> apps = new ArrayList<>();
    for (var e : services.entrySet()) {
      String name = String.valueOf(e.getKey());
      Map<?, ?> svc = (Map<?, ?>) e.getValue();
      String image = String.valueOf(svc.get("image"));
      assertNotNull(svc.get("image"), name + " has no image");
      if (svc.get("ports") instanceof List<?> ports) {
        for (Object p : ports) {
          var m = PORT.matcher(String.valueOf(p));
          assertTrue(m.matches(), name + ": port '" + p + "' is not host:container");
          assertTrue(Integer.parseInt(m.group(1)) <= 65535 && Integer.parseInt(m.group(2)) <= 65535, name + ": " + p);
        }
      }
      if (svc.get("depends_on") instanceof List<?> deps) {
        deps.forEach(d -> assertTrue(services.containsKey(d), name + " depends on unknown " + d));
      } else if (svc.get("depends_on") instanceof Map<?, ?> deps) {
        deps.keySet().forEach(d -> assertTrue(services.containsKey(d), name + " depends on unknown " + d));
      }
      if (image.startsWith("mizzen/")) {
        List<?> command = (List<?>) svc.get("command");
        assertNotNull(command, name + " must say which mizzen role it runs");
        String role = String.valueOf(command.get(0));
        assertTrue(ROLES.contains(role), name + ": unknown role " + role);
        if (role.equals("sidecar") || role.equals("ingress")) {
          assertEquals("1337:1337", svc.get("user"), name + " runs as the proxy user");
        }
        if (role.equals("iptables")) {
          assertEquals("0:0", svc.get("user"));
          assertTrue(((List<?>) svc.get("cap_add")).contains("NET_ADMIN"), name);
          String owner = String.valueOf(svc.get("network_mode")).replace("service:", "");
          assertEquals("sidecar", String.valueOf(((List<?>) ((Map<?, ?>) services.get(owner)).get("command")).get(0)),
              name + " must run in its sidecar's network namespace");
          assertIptablesAccepts(name, command.subList(1, command.size()));
        }
      } else {
        assertTrue(image.startsWith("docker.io/istio/examples-bookinfo-"), name + ": " + image);
        assertFalse(svc.containsKey("command"), name + " keeps its image's own command");
        String owner = String.valueOf(svc.get("network_mode")).replace("service:", "");
        assertEquals(name + "-proxy", owner, name + " shares its sidecar's network namespace");
        Map<?, ?> deps = (Map<?, ?>) svc.get("depends_on");
        assertEquals(Map.of("condition", "service_completed_successfully"), deps.get(name + "-init"),
            name + " starts only once capture is set up");
        apps.add(name);
      }
    }
    assertEquals(List.of("productpage", "details", "ratings", "reviews-v1", "reviews-v2", "reviews-v3"), apps);
    assertTrue(services.containsKey("control-plane") && services.containsKey("ingressgateway"));
  }

  @Test
  void composeConfigFolderHoldsValidIstioResources() throws IOException {
    Object parsed = new KubernetesSerialization().unmarshal(Files.readString(dir.resolve("config/bookinfo-routing.yaml")));
    List<?> objects = (List<?>) parsed;
    assertTrue(objects.size() >= 5);
    for (Object o : objects) {
      GenericKubernetesResource r = (GenericKubernetesResource) o;
      assertEquals("networking.istio.io/v1alpha3", r.getApiVersion());
      assertNotNull(r.getAdditionalProperties().get("spec"), r.getMetadata().getName());
    }
  }

  private static void assertIptablesAccepts(String service, List<?> args) {
    List<String> argv = new ArrayList<>(args.stream().map(String::valueOf).toList());
    argv.add("--dry-run");
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new IptablesCommand());
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    assertEquals(0, cli.execute(argv.toArray(String[]::new)), service + ": " + err);
  }
}
