package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kube-inject on Istio's own sample manifests, compared with goldens in
 * src/test/resources/inject/golden. Regenerate with {@code -Dmizzen.updateGoldens=true}
 * (then review the diff).
 */
class KubeInjectGoldenTest {

  private static final Path GOLDENS = Path.of("src/test/resources/inject/golden");
  private static final List<String> SAMPLE_DIRS = List.of(
      "bookinfo/platform/kube", "health-check", "helloworld", "httpbin", "sleep", "tcp-echo", "websockets");

  private final SidecarInjector injector = SidecarInjector.create(InjectionTemplate.defaults(), MeshDefaults.defaults());
  private final KubernetesSerialization kube = new KubernetesSerialization();

  static Stream<String> samples() throws IOException {
    List<String> files = new ArrayList<>();
    for (String dir : SAMPLE_DIRS) {
      try (Stream<Path> s = Files.list(SharedSamples.samples().resolve(dir))) {
        s.filter(p -> p.toString().endsWith(".yaml")).sorted()
            .forEach(p -> files.add(SharedSamples.samples().relativize(p).toString()));
      }
    }
    files.add("inject/input/workloads.yaml");
    return files.stream();
  }

  private static Path input(String name) {
    return name.startsWith("inject/") ? Path.of("src/test/resources").resolve(name) : SharedSamples.samples().resolve(name);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void matchesGoldenAndIsIdempotent(String name) throws IOException {
    String injected = injector.injectManifest(Files.readString(input(name)), name);
    Path golden = GOLDENS.resolve(name.replace('/', '_') + ".injected");
    if (Boolean.getBoolean("mizzen.updateGoldens")) {
      Files.createDirectories(GOLDENS);
      Files.writeString(golden, injected);
    }
    assertTrue(Files.exists(golden), "missing golden " + golden + ": run with -Dmizzen.updateGoldens=true");
    assertEquals(Files.readString(golden), injected, "kube-inject output differs from " + golden);
    assertEquals(injected, injector.injectManifest(injected, name + " (injected)"), "injecting twice changed " + name);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void outputParsesIntoKubernetesObjectsWithSidecars(String name) throws IOException {
    String original = Files.readString(input(name));
    String injected = injector.injectManifest(original, name);
    List<HasMetadata> before = objects(original);
    List<HasMetadata> after = objects(injected);
    assertEquals(before.size(), after.size(), "document count of " + name);
    for (int i = 0; i < after.size(); i++) {
      HasMetadata o = after.get(i);
      assertEquals(before.get(i).getKind(), o.getKind());
      PodSpec spec = podSpec(o);
      if (spec == null) {
        assertEquals(before.get(i), o, "non-workload " + o.getKind() + " changed in " + name);
        continue;
      }
      PodSpecChecks.check(name + " " + o.getKind() + " " + o.getMetadata().getName(), spec);
      PodSpec originalSpec = podSpec(before.get(i));
      List<String> names = spec.getContainers().stream().map(Container::getName).toList();
      boolean optedOut = "false".equals(podAnnotation(before.get(i), PodInjection.INJECT_ANNOTATION))
          || Boolean.TRUE.equals(originalSpec.getHostNetwork());
      if (optedOut) {
        assertEquals(before.get(i), o, o.getMetadata().getName() + " must be left alone");
        continue;
      }
      assertEquals(originalSpec.getContainers().size() + 1, names.size(), o.getMetadata().getName() + ": " + names);
      assertEquals("istio-proxy", names.get(names.size() - 1));
      Container sidecar = spec.getContainers().get(names.size() - 1);
      assertEquals(1337L, sidecar.getSecurityContext().getRunAsUser());
      assertEquals("/healthz/ready", sidecar.getReadinessProbe().getHttpGet().getPath());
      assertEquals(15021, sidecar.getReadinessProbe().getHttpGet().getPort().getIntVal());
      Container init = spec.getInitContainers().get(spec.getInitContainers().size() - 1);
      assertEquals(List.of("mizzen", "iptables"), init.getCommand());
      assertIptablesAccepts(o.getMetadata().getName(), init.getArgs());
      assertTrue(init.getSecurityContext().getCapabilities().getAdd().containsAll(List.of("NET_ADMIN", "NET_RAW")));
      assertTrue(spec.getVolumes().stream().anyMatch(v -> v.getProjected() != null
          && "mizzen-ca".equals(v.getProjected().getSources().get(0).getServiceAccountToken().getAudience())));
      assertTrue(spec.getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null && "Memory".equals(v.getEmptyDir().getMedium())));
      assertFalse(podAnnotation(o, PodInjection.STATUS_ANNOTATION).isEmpty());
    }
  }

  /** The init container's flags must be ones `mizzen iptables` accepts. */
  private static void assertIptablesAccepts(String workload, List<String> args) {
    List<String> argv = new ArrayList<>(args);
    argv.add("--dry-run");
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new io.mizzen.kernel.inject.iptables.IptablesCommand());
    cli.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    cli.setErr(new java.io.PrintWriter(err));
    assertEquals(0, cli.execute(argv.toArray(String[]::new)), workload + ": " + err);
  }

  private List<HasMetadata> objects(String yaml) {
    Object parsed = kube.unmarshal(yaml);
    List<HasMetadata> out = new ArrayList<>();
    if (parsed instanceof List<?> list) {
      list.forEach(o -> out.add((HasMetadata) o));
    } else if (parsed != null) {
      out.add((HasMetadata) parsed);
    }
    return out;
  }

  static PodSpec podSpec(HasMetadata o) {
    PodTemplateSpec t = template(o);
    if (t != null) {
      return t.getSpec();
    }
    return o instanceof io.fabric8.kubernetes.api.model.Pod p ? p.getSpec() : null;
  }

  static PodTemplateSpec template(HasMetadata o) {
    if (o instanceof Deployment d) {
      return d.getSpec().getTemplate();
    }
    if (o instanceof io.fabric8.kubernetes.api.model.apps.StatefulSet s) {
      return s.getSpec().getTemplate();
    }
    if (o instanceof io.fabric8.kubernetes.api.model.apps.DaemonSet s) {
      return s.getSpec().getTemplate();
    }
    if (o instanceof io.fabric8.kubernetes.api.model.apps.ReplicaSet s) {
      return s.getSpec().getTemplate();
    }
    if (o instanceof io.fabric8.kubernetes.api.model.batch.v1.Job j) {
      return j.getSpec().getTemplate();
    }
    if (o instanceof io.fabric8.kubernetes.api.model.batch.v1.CronJob c) {
      return c.getSpec().getJobTemplate().getSpec().getTemplate();
    }
    return null;
  }

  static String podAnnotation(HasMetadata o, String key) {
    var md = o instanceof io.fabric8.kubernetes.api.model.Pod ? o.getMetadata() : template(o).getMetadata();
    return md == null || md.getAnnotations() == null ? "" : md.getAnnotations().getOrDefault(key, "");
  }
}
