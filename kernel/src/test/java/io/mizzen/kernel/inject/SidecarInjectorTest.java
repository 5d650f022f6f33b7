package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviour of injection on single objects: opt-out, jobs, probes, overrides, and bad input. */
class SidecarInjectorTest {

  private final SidecarInjector injector = SidecarInjector.create(InjectionTemplate.defaults(), MeshDefaults.defaults());
  private final KubernetesSerialization kube = new KubernetesSerialization();

  private static final String POD = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: app
        annotations:
          %s
      spec:
        %s
        containers:
        - name: app
          image: busybox
          ports:
          - {name: web, containerPort: 8080}
          livenessProbe:
            httpGet: {path: /healthz, port: web, httpHeaders: [{name: X-Probe, value: "1"}]}
          readinessProbe:
            exec: {command: [cat, /tmp/ready]}
      """;

  private Pod injectPod(String annotations, String specExtra) {
    String out = injector.injectManifest(POD.formatted(annotations, specExtra), "pod.yaml");
    return kube.unmarshal(out, Pod.class);
  }

  private static Container container(Pod pod, String name) {
    return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }

  @Test
  void httpProbesGoThroughTheAgentAndTheOriginalIsKept() {
    Pod pod = injectPod("{}", "");
    Container app = container(pod, "app");
    assertEquals("/app-health/app/livez", app.getLivenessProbe().getHttpGet().getPath());
    assertEquals(15021, app.getLivenessProbe().getHttpGet().getPort().getIntVal());
    assertTrue(app.getReadinessProbe().getExec() != null, "exec probes are left alone");
    JsonObject probers = new JsonObject(env(container(pod, "istio-proxy"), AppProbeRewrite.PROBERS_ENV));
    JsonObject original = probers.getJsonObject("/app-health/app/livez").getJsonObject("httpGet");
    assertEquals("/healthz", original.getString("path"));
    assertEquals(8080, original.getInteger("port"), "named port resolved to its number");
    assertEquals("X-Probe", original.getJsonArray("httpHeaders").getJsonObject(0).getString("name"));
    assertEquals(1, probers.size());
  }

  @Test
  void probeRewriteCanBeTurnedOff() {
    Pod pod = injectPod("sidecar.istio.io/rewriteAppHTTPProbers: \"false\"", "");
    assertEquals("/healthz", container(pod, "app").getLivenessProbe().getHttpGet().getPath());
    assertEquals(null, env(container(pod, "istio-proxy"), AppProbeRewrite.PROBERS_ENV));
  }

  @Test
  void annotationsOverrideMeshDefaults() {
    Pod pod = injectPod("""
        {sidecar.istio.io/proxyImage: "registry.local/mizzen:9", status.sidecar.istio.io/port: "15999",
                   traffic.sidecar.istio.io/excludeOutboundIPRanges: "10.0.0.0/8", traffic.sidecar.istio.io/excludeInboundPorts: "9000"}""",
        "");
    Container sidecar = container(pod, "istio-proxy");
    assertEquals("registry.local/mizzen:9", sidecar.getImage());
    assertEquals(15999, sidecar.getReadinessProbe().getHttpGet().getPort().getIntVal());
    assertEquals(15999, container(pod, "app").getLivenessProbe().getHttpGet().getPort().getIntVal());
    List<String> args = pod.getSpec().getInitContainers().get(0).getArgs();
    assertEquals("10.0.0.0/8", args.get(args.indexOf("-x") + 1));
    assertEquals("15999,15090,9000", args.get(args.indexOf("-d") + 1));
  }

  @Test
  void thePodsOwnAnnotationsWinOverTheTemplates() {
    Pod pod = injectPod("{prometheus.io/port: \"8080\", prometheus.io/path: /metrics}", "");
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    assertEquals("8080", annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));
    assertEquals("true", annotations.get("prometheus.io/scrape"), "absent ones are still added");
  }

  @Test
  void istioResourceAnnotationsSizeTheSidecar() {
    Pod pod = injectPod("{sidecar.istio.io/proxyCPU: 50m, sidecar.istio.io/proxyMemoryLimit: 1Gi}", "");
    var resources = container(pod, "istio-proxy").getResources();
    assertEquals("50m", resources.getRequests().get("cpu").toString());
    assertEquals("128Mi", resources.getRequests().get("memory").toString(), "the template's value where not overridden");
    assertEquals("1Gi", resources.getLimits().get("memory").toString());
    InjectionException e = assertThrows(InjectionException.class,
        () -> injectPod("sidecar.istio.io/proxyMemory: lots", ""));
    assertTrue(e.getMessage().endsWith("metadata.annotations[sidecar.istio.io/proxyMemory]: 'lots' is not a Kubernetes "
        + "quantity (e.g. 100m, 0.5, 128Mi)"), e.getMessage());
  }

  @Test
  void meshConfigCanBeTheConfigMapItself() {
    MeshDefaults mesh = MeshDefaults.parse("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: mizzen-mesh}
        data:
          mesh: |
            trustDomain: example.org
        """, "cm.yaml");
    assertEquals("example.org", mesh.trustDomain());
    InjectionException e = assertThrows(InjectionException.class,
        () -> MeshDefaults.parse("kind: ConfigMap\ndata: {other: x}\n", "cm.yaml"));
    assertEquals("cm.yaml: a ConfigMap given as mesh config must have data.mesh", e.getMessage());
  }

  @Test
  void optOutLeavesThePodByteForByte() {
    String yaml = POD.formatted("sidecar.istio.io/inject: \"false\"", "");
    assertEquals(yaml, injector.injectManifest(yaml, "pod.yaml"));
  }

  @Test
  void podsThatRunToCompletionGetQuitWiring() {
    Pod pod = injectPod("{}", "restartPolicy: Never");
    Container sidecar = container(pod, "istio-proxy");
    assertEquals("true", env(sidecar, PodInjection.QUIT_ENV));
    assertEquals("app", env(sidecar, PodInjection.APP_CONTAINERS_ENV));
    assertTrue(pod.getSpec().getShareProcessNamespace());
    assertEquals("true", pod.getMetadata().getAnnotations().get(PodInjection.QUIT_ANNOTATION));

    Pod longRunning = injectPod("{}", "");
    assertEquals(null, env(container(longRunning, "istio-proxy"), PodInjection.QUIT_ENV));
    assertEquals(null, longRunning.getSpec().getShareProcessNamespace());
  }

  @Test
  void jobsKeepAnExplicitShareProcessNamespaceChoice() {
    String job = """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          template:
            spec:
              shareProcessNamespace: false
              restartPolicy: Never
              containers: [{name: once, image: busybox}]
        """;
    Job out = kube.unmarshal(injector.injectManifest(job, "job.yaml"), Job.class);
    assertFalse(out.getSpec().getTemplate().getSpec().getShareProcessNamespace());
    Container sidecar = out.getSpec().getTemplate().getSpec().getContainers().get(1);
    assertEquals("true", env(sidecar, PodInjection.QUIT_ENV));
  }

  @Test
  void injectObjectWorksOnParsedMapsForAWebhook() {
    Map<String, Object> pod = KubeYaml.loader("t").loadFromString(POD.formatted("{}", "")) instanceof Map<?, ?> m
        ? InjectionTemplate.castMap(m) : Map.of();
    assertTrue(injector.injectObject(pod, "request:"));
    assertFalse(injector.injectObject(pod, "request:"), "second injection is a no-op");
  }

  @Test
  void badInputIsReportedWithFileLineAndFieldPath() {
    String yaml = """
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: broken}
        spec:
          template:
            spec:
              containers: nope
        """;
    InjectionException e = assertThrows(InjectionException.class, () -> injector.injectManifest(yaml, "bad.yaml"));
    assertEquals("bad.yaml:5: document 2 (Deployment broken): spec.template.spec.containers must be a non-empty list, "
        + "got 'nope' (string)", e.getMessage());

    InjectionException syntax = assertThrows(InjectionException.class,
        () -> injector.injectManifest("kind: Pod\n  bad: [", "syntax.yaml"));
    assertTrue(syntax.getMessage().startsWith("syntax.yaml: not valid YAML"), syntax.getMessage());

    InjectionException flag = assertThrows(InjectionException.class,
        () -> injector.injectManifest(POD.formatted("sidecar.istio.io/inject: \"maybe\"", ""), "flag.yaml"));
    assertTrue(flag.getMessage().contains("metadata.annotations[sidecar.istio.io/inject]: 'maybe'"), flag.getMessage());

    InjectionException clash = assertThrows(InjectionException.class, () -> injector.injectManifest("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: istio-proxy, image: x}]
        """, "clash.yaml"));
    assertTrue(clash.getMessage().contains("spec.containers: the pod already has 'istio-proxy'"), clash.getMessage());
  }

  @Test
  void templateErrorsNameTheTemplateAndTheField() {
    InjectionException section = assertThrows(InjectionException.class,
        () -> InjectionTemplate.parse("sidecars: []", "my-template.yaml"));
    assertTrue(section.getMessage().startsWith("my-template.yaml: unknown template section 'sidecars'"), section.getMessage());

    InjectionTemplate typo = InjectionTemplate.parse("containers: [{name: p, image: \"${proxyImag}\"}]", "typo.yaml");
    SidecarInjector bad = SidecarInjector.create(typo, MeshDefaults.defaults());
    InjectionException e = assertThrows(InjectionException.class, () -> bad.injectManifest(POD.formatted("{}", ""), "pod.yaml"));
    assertTrue(e.getMessage().contains("typo.yaml: containers[0].image: unknown placeholder ${proxyImag}"), e.getMessage());
    assertTrue(e.getMessage().startsWith("pod.yaml:1: document 1 (Pod app):"), e.getMessage());
  }

  @Test
  void meshConfigIsReadFromIstioMeshConfig() {
    MeshDefaults mesh = MeshDefaults.parse("""
        trustDomain: corp.example
        enableTracing: true
        defaultConfig:
          discoveryAddress: cp.mesh:15012
          statusPort: 15020
          proxyImage: example/mizzen:1
        """, "mesh.yaml");
    assertEquals(new MeshDefaults("example/mizzen:1", "cp.mesh:15012", "corp.example", 15020, 15000), mesh);
    InjectionException e = assertThrows(InjectionException.class,
        () -> MeshDefaults.parse("defaultConfig: {statusPort: high}", "mesh.yaml"));
    assertEquals("mesh.yaml: defaultConfig.statusPort must be a port number, got 'high' (string)", e.getMessage());
  }

  @Test
  void yaml11BooleansStayStringsForKubectl() {
    String yaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          labels: {feature: "on"}
        spec:
          containers: [{name: a, image: x}]
        """;
    String out = injector.injectManifest(yaml, "p.yaml");
    assertTrue(out.contains("feature: 'on'"), out);
  }
}
