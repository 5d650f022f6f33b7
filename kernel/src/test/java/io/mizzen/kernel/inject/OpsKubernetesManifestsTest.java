package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.settings.MeshSettingsLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Static validation of ops/kubernetes (no cluster here): every manifest parses with fabric8 into
 * typed objects, required fields and cross-references hold, RBAC stays least-privilege, the CRDs
 * cover every Istio kind in the samples, and the kustomization lists every file.
 */
class OpsKubernetesManifestsTest {

  private static final Set<String> ISTIO_GROUPS = Set.of("networking.istio.io", "security.istio.io",
      "config.istio.io", "rbac.istio.io", "authentication.istio.io");
  private static Path dir;
  private static final Map<String, List<HasMetadata>> BY_FILE = new LinkedHashMap<>();
  private static final List<HasMetadata> ALL = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    dir = SharedSamples.repoRoot().resolve("ops/kubernetes");
    KubernetesSerialization kube = new KubernetesSerialization();
    for (Path file : manifestFiles()) {
      Object parsed = kube.unmarshal(Files.readString(file));
      List<HasMetadata> objects = new ArrayList<>();
      if (parsed instanceof List<?> list) {
        list.forEach(o -> objects.add((HasMetadata) o));
      } else {
        objects.add((HasMetadata) parsed);
      }
      BY_FILE.put(file.getFileName().toString(), objects);
      ALL.addAll(objects);
    }
  }

  private static List<Path> manifestFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
          .sorted().toList();
    }
  }

  private static <T> List<T> all(Class<T> type) {
    return ALL.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T named(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void everyObjectIsATypedKubernetesObjectWithItsRequiredFields() {
    assertTrue(ALL.size() > 60, "objects: " + ALL.size());
    for (var entry : BY_FILE.entrySet()) {
      for (HasMetadata o : entry.getValue()) {
        String at = entry.getKey() + ": " + o.getKind() + " " + o.getMetadata().getName();
        assertFalse(o instanceof GenericKubernetesResource, at + " is not a kind fabric8 knows (apiVersion/kind typo?)");
        assertNotNull(o.getMetadata().getName(), at + " has no name");
        boolean clusterScoped = o instanceof Namespace || o instanceof ClusterRole || o instanceof ClusterRoleBinding
            || o instanceof CustomResourceDefinition || o instanceof MutatingWebhookConfiguration;
        assertEquals(clusterScoped ? null : "mizzen-system", o.getMetadata().getNamespace(), at + " namespace");
      }
    }
  }

  @Test
  void controlPlaneIsThreeHazelcastMembersFoundThroughTheHeadlessService() throws IOException {
    Deployment cp = named(Deployment.class, "mizzen-control-plane");
    assertEquals(3, cp.getSpec().getReplicas());
    Container c = cp.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(List.of("mizzen", "--config", "/etc/mizzen/conf/mizzen.yaml", "control-plane"), c.getCommand());
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/etc/mizzen/conf")), "mizzen.yaml is mounted");
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/var/lib/mizzen") && !Boolean.TRUE.equals(m.getReadOnly())),
        "the state folder is writable");
    // The shipped mizzen.yaml passes the real settings loader and says what the pod needs.
    Path yaml = Files.createTempDirectory("mizzen-settings").resolve("mizzen.yaml");
    Files.writeString(yaml, named(ConfigMap.class, "mizzen-settings").getData().get("mizzen.yaml"));
    MeshSettings settings = MeshSettingsLoader.load(yaml, yaml.getParent());
    assertEquals("0.0.0.0", settings.bindAddress(), "reachable from other pods and the API server");
    assertEquals(15017, settings.ports().webhook());
    assertEquals(Path.of("/var/lib/mizzen"), settings.stateDir());
    String javaOpts = c.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue();
    assertTrue(javaOpts.contains("-Dvertx.hazelcast.config=/etc/mizzen/cluster/cluster.xml"), javaOpts);

    Service headless = named(Service.class, "mizzen-control-plane-hazelcast");
    assertEquals("None", headless.getSpec().getClusterIP());
    assertTrue(headless.getSpec().getPublishNotReadyAddresses());

    String xml = named(ConfigMap.class, "mizzen-cluster").getData().get("cluster.xml");
    Config hz = new XmlConfigBuilder(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).build();
    var join = hz.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("mizzen-control-plane-hazelcast.mizzen-system.svc.cluster.local",
        join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals(1, hz.getMultiMapConfig("__vertx.subs").getBackupCount(), "vert.x maps keep their backups");

    PodDisruptionBudget pdb = named(PodDisruptionBudget.class, "mizzen-control-plane");
    assertEquals(2, pdb.getSpec().getMinAvailable().getIntVal());
    assertEquals(cp.getSpec().getSelector(), pdb.getSpec().getSelector());

    MeshDefaults mesh = MeshDefaults.parse(named(ConfigMap.class, "mizzen-mesh").getData().get("mesh"), "config.yaml");
    assertEquals(MeshDefaults.defaults(), mesh, "the shipped mesh config says what kube-inject assumes by default");
  }

  @Test
  void servicesSelectPodsThatExposeTheirTargetPorts() {
    for (Service s : all(Service.class)) {
      List<Deployment> backing = all(Deployment.class).stream()
          .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet()
              .containsAll(s.getSpec().getSelector().entrySet())).toList();
      assertFalse(backing.isEmpty(), "Service " + s.getMetadata().getName() + " selects no Deployment");
      Set<Integer> containerPorts = new HashSet<>();
      backing.get(0).getSpec().getTemplate().getSpec().getContainers()
          .forEach(c -> c.getPorts().forEach(p -> containerPorts.add(p.getContainerPort())));
      s.getSpec().getPorts().forEach(p -> {
        assertNotNull(p.getName(), "unnamed port in Service " + s.getMetadata().getName());
        assertTrue(containerPorts.contains(p.getTargetPort().getIntVal()),
            "Service " + s.getMetadata().getName() + " targets port " + p.getTargetPort() + " no container exposes");
      });
    }
    for (Deployment d : all(Deployment.class)) {
      PodSpecChecks.check(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec());
      assertEquals(d.getSpec().getSelector().getMatchLabels().entrySet().stream()
              .filter(e -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().contains(e)).count(),
          (long) d.getSpec().getSelector().getMatchLabels().size(), d.getMetadata().getName() + " selector must match its pods");
      assertEquals("false", d.getSpec().getTemplate().getMetadata().getAnnotations().get("sidecar.istio.io/inject"),
          d.getMetadata().getName() + ": mesh components are never injected");
      Long uid = d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
      assertEquals(1337L, uid, d.getMetadata().getName() + " runs as the proxy user, not root");
      String sa = d.getSpec().getTemplate().getSpec().getServiceAccountName();
      named(ServiceAccount.class, sa);
    }
  }

  @Test
  void ingressGatewayIsALoadBalancerSelectedByIstioGateways() throws IOException {
    Service lb = named(Service.class, "istio-ingressgateway");
    assertEquals("LoadBalancer", lb.getSpec().getType());
    // bookinfo-gateway.yaml selects `istio: ingressgateway`: the gateway pods must carry it.
    String gateway = Files.readString(SharedSamples.samples().resolve("bookinfo/networking/bookinfo-gateway.yaml"));
    assertTrue(gateway.contains("istio: ingressgateway"));
    assertEquals("ingressgateway", named(Deployment.class, "mizzen-ingressgateway").getSpec().getTemplate()
        .getMetadata().getLabels().get("istio"));
  }

  @Test
  void rbacIsLeastPrivilege() {
    List<PolicyRule> rules = new ArrayList<>();
    all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
    all(Role.class).forEach(r -> rules.addAll(r.getRules()));
    Set<String> readOnly = Set.of("get", "list", "watch");
    for (PolicyRule r : rules) {
      assertFalse(r.getVerbs().contains("*"), "wildcard verbs: " + r);
      assertFalse(r.getApiGroups().contains("*"), "wildcard API groups: " + r);
      if (r.getResources().contains("*")) {
        assertTrue(ISTIO_GROUPS.containsAll(r.getApiGroups()), "wildcard resources outside Istio's groups: " + r);
        assertTrue(readOnly.containsAll(r.getVerbs()), "Istio config is read only: " + r);
      }
      if (r.getResources().contains("secrets")) {
        assertEquals(List.of("mizzen-ca"), r.getResourceNames(), "secrets access is for the CA secret only");
        assertTrue(readOnly.containsAll(r.getVerbs()));
      }
      if (r.getResources().contains("mutatingwebhookconfigurations")) {
        assertEquals(List.of("mizzen-sidecar-injector"), r.getResourceNames());
      }
    }
    assertTrue(all(Role.class).stream().flatMap(r -> r.getRules().stream()).noneMatch(r -> r.getVerbs().contains("create")
        && r.getResources().contains("secrets")), "no secret creation");
    for (ClusterRoleBinding b : all(ClusterRoleBinding.class)) {
      named(ClusterRole.class, b.getRoleRef().getName());
      b.getSubjects().forEach(OpsKubernetesManifestsTest::serviceAccountExists);
    }
    for (RoleBinding b : all(RoleBinding.class)) {
      named(Role.class, b.getRoleRef().getName());
      b.getSubjects().forEach(OpsKubernetesManifestsTest::serviceAccountExists);
    }
  }

  private static void serviceAccountExists(Subject s) {
    assertEquals("ServiceAccount", s.getKind());
    assertEquals("mizzen-system", s.getNamespace());
    named(ServiceAccount.class, s.getName());
  }

  @Test
  void webhookSendsPodsFromLabelledNamespacesToTheControlPlaneOverAdmissionReviewV1() {
    MutatingWebhookConfiguration config = named(MutatingWebhookConfiguration.class, "mizzen-sidecar-injector");
    Set<String> namespaceLabels = new TreeSet<>();
    for (MutatingWebhook w : config.getWebhooks()) {
      assertTrue(w.getName().split("\\.").length >= 3, "webhook names are fully qualified: " + w.getName());
      assertEquals(List.of("v1"), w.getAdmissionReviewVersions());
      assertEquals("None", w.getSideEffects());
      var svc = w.getClientConfig().getService();
      assertEquals("/inject", svc.getPath());
      Service target = named(Service.class, svc.getName());
      assertTrue(target.getSpec().getPorts().stream().anyMatch(p -> p.getPort().equals(svc.getPort())),
          "webhook port " + svc.getPort() + " is not on Service " + svc.getName());
      assertEquals(List.of("pods"), w.getRules().get(0).getResources());
      if (w.getNamespaceSelector().getMatchLabels() != null) {
        namespaceLabels.addAll(w.getNamespaceSelector().getMatchLabels().keySet());
      }
      w.getNamespaceSelector().getMatchExpressions().stream().filter(e -> e.getOperator().equals("In"))
          .forEach(e -> namespaceLabels.add(e.getKey()));
    }
    assertEquals(Set.of("istio-injection", "mizzen-injection"), namespaceLabels);
  }

  @Test
  void crdsAreStructuralAndCoverEveryIstioKindInTheSamples() throws IOException {
    Map<String, CustomResourceDefinition> byGroupKind = new LinkedHashMap<>();
    for (CustomResourceDefinition crd : all(CustomResourceDefinition.class)) {
      var spec = crd.getSpec();
      assertEquals(spec.getNames().getPlural() + "." + spec.getGroup(), crd.getMetadata().getName());
      assertEquals(1, spec.getVersions().stream().filter(CustomResourceDefinitionVersion::getStorage).count(),
          crd.getMetadata().getName() + " needs exactly one storage version");
      for (CustomResourceDefinitionVersion v : spec.getVersions()) {
        JSONSchemaProps schema = v.getSchema().getOpenAPIV3Schema();
        assertEquals("object", schema.getType());
        JSONSchemaProps specSchema = schema.getProperties().get("spec");
        assertEquals("object", specSchema.getType());
        assertTrue(specSchema.getXKubernetesPreserveUnknownFields(), crd.getMetadata().getName() + " spec");
      }
      byGroupKind.put(spec.getGroup() + "/" + spec.getNames().getKind(), crd);
    }
    for (String group : List.of("networking.istio.io", "security.istio.io", "config.istio.io")) {
      assertTrue(byGroupKind.keySet().stream().anyMatch(k -> k.startsWith(group + "/")), group);
    }
    for (String kind : List.of("VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar")) {
      assertTrue(byGroupKind.containsKey("networking.istio.io/" + kind), kind);
    }
    for (String kind : List.of("PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication")) {
      assertTrue(byGroupKind.containsKey("security.istio.io/" + kind), kind);
    }
    Pattern doc = Pattern.compile("apiVersion:\\s*\"?([a-z.]+istio\\.io)/(\\w+)\"?\\s*\\n\\s*kind:\\s*(\\w+)");
    Set<String> used = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SharedSamples.samples())) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        Matcher m = doc.matcher(Files.readString(f));
        while (m.find()) {
          used.add(m.group(1) + "/" + m.group(3));
          CustomResourceDefinition crd = byGroupKind.get(m.group(1) + "/" + m.group(3));
          if (crd == null) {
            fail("no CRD for " + m.group(1) + " " + m.group(3) + " used in " + f);
          }
          String version = m.group(2);
          assertTrue(crd.getSpec().getVersions().stream().anyMatch(v -> v.getName().equals(version) && v.getServed()),
              crd.getMetadata().getName() + " does not serve " + version + " used in " + f);
        }
      }
    }
    assertTrue(used.size() > 20, "sample kinds found: " + used);
  }

  @Test
  void kustomizationListsEveryManifestAndNothingElse() throws IOException {
    Object parsed = KubeYaml.loader("kustomization.yaml").loadFromString(Files.readString(dir.resolve("kustomization.yaml")));
    List<?> resources = (List<?>) ((Map<?, ?>) parsed).get("resources");
    Set<String> files = new TreeSet<>(manifestFiles().stream().map(p -> p.getFileName().toString()).toList());
    assertEquals(files, new TreeSet<>(resources.stream().map(String::valueOf).toList()));
    assertEquals(resources.size(), new HashSet<>(resources).size(), "duplicates in kustomization");
    assertEquals("namespace.yaml", resources.get(0), "the namespace comes first");
    assertEquals("crds.yaml", resources.get(1), "CRDs come before anything that could use them");
  }
}
