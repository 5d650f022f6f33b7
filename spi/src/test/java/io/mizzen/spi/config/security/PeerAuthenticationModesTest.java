package io.mizzen.spi.config.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.config.security.PeerAuthentication.Mode;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** mTLS mode resolution: mesh, namespace, workload selector, port; PeerAuthentication and 1.4's MeshPolicy / Policy. */
class PeerAuthenticationModesTest {
  static final WorkloadInfo REVIEWS = new WorkloadInfo("reviews", "default", Map.of("app", "reviews"), "reviews", "127.0.0.1", 9080);
  static final WorkloadInfo RATINGS = new WorkloadInfo("ratings", "default", Map.of("app", "ratings"), "ratings", "127.0.0.1", 9080);
  static final WorkloadInfo HTTPBIN = new WorkloadInfo("httpbin", "foo", Map.of("app", "httpbin"), "httpbin", "127.0.0.1", 8000);

  /** Istio 1.4's mesh-wide STRICT: a MeshPolicy whose peers ask for mtls. */
  static final String MESH_STRICT = """
        apiVersion: authentication.istio.io/v1alpha1
        kind: MeshPolicy
        metadata: {name: default}
        spec:
          peers:
          - mtls: {}
        ---
        """;

  static String peer(String ns, String name, String spec) {
    return "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: " + name + ", namespace: " + ns + "}\nspec:\n"
        + spec.indent(2) + "---\n";
  }

  static PeerAuthenticationModes modes(String yaml) {
    return PeerAuthenticationModes.of(parse(yaml, "peer.yaml"), "istio-system");
  }

  /** Istio YAML into Resources, as the config store hands them over. */
  @SuppressWarnings("unchecked")
  static List<Resource> parse(String yaml, String origin) {
    List<Resource> out = new ArrayList<>();
    int index = 0;
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
      if (doc instanceof Map<?, ?> map) {
        Map<String, Object> m = (Map<String, Object>) map;
        Map<String, Object> meta = (Map<String, Object>) m.getOrDefault("metadata", Map.of());
        out.add(new Resource((String) m.get("apiVersion"), (String) m.get("kind"), (String) meta.get("name"),
            (String) meta.get("namespace"), (Map<String, String>) meta.get("labels"), null,
            (Map<String, Object>) m.get("spec"), new SourceLocation(origin, index, 1, Map.of())));
      }
      index++;
    }
    return out;
  }

  @Test
  void nothingMeansPermissive() {
    assertEquals(new PeerAuthenticationModes.Effective(Mode.PERMISSIVE, "default"), modes("").explain(REVIEWS, 9080));
  }

  @Test
  void narrowerScopesOverrideWiderOnesAndUnsetInherits() {
    String yaml = peer("istio-system", "default", "mtls: {mode: STRICT}")
        + peer("default", "default", "mtls: {mode: PERMISSIVE}")
        + peer("default", "reviews", """
            selector: {matchLabels: {app: reviews}}
            mtls: {mode: UNSET}
            portLevelMtls:
              "8080": {mode: DISABLE}
            """);
    PeerAuthenticationModes m = modes(yaml);
    assertEquals(Mode.STRICT, m.mode(HTTPBIN, 8000), "mesh-wide");
    assertEquals(Mode.PERMISSIVE, m.mode(RATINGS, 9080), "namespace over mesh");
    assertEquals(Mode.PERMISSIVE, m.mode(REVIEWS, 9080), "workload UNSET inherits the namespace's");
    assertEquals(new PeerAuthenticationModes.Effective(Mode.DISABLE, "PeerAuthentication default/reviews, port 8080"),
        m.explain(REVIEWS, 8080));
  }

  @Test
  void workloadSelectorStrictBeatsNamespaceDisable() {
    PeerAuthenticationModes m = modes(peer("default", "off", "mtls: {mode: DISABLE}")
        + peer("default", "ratings-strict", "selector: {matchLabels: {app: ratings}}\nmtls: {mode: STRICT}"));
    assertEquals(Mode.STRICT, m.mode(RATINGS, 9080));
    assertEquals(Mode.DISABLE, m.mode(REVIEWS, 9080));
  }

  @Test
  void istio14MeshPolicyAndPolicy() {
    String yaml = MESH_STRICT + """
        apiVersion: authentication.istio.io/v1alpha1
        kind: Policy
        metadata: {name: default, namespace: foo}
        spec:
          peers:
          - mtls: {mode: PERMISSIVE}
        ---
        apiVersion: authentication.istio.io/v1alpha1
        kind: Policy
        metadata: {name: ratings-off, namespace: default}
        spec:
          targets:
          - name: ratings
            ports: [{number: 9080}]
        """;
    PeerAuthenticationModes m = modes(yaml);
    assertEquals(Mode.STRICT, m.mode(REVIEWS, 9080), "MeshPolicy with mtls {} is STRICT");
    assertEquals(Mode.PERMISSIVE, m.mode(HTTPBIN, 8000), "namespace Policy PERMISSIVE");
    assertEquals(Mode.DISABLE, m.mode(RATINGS, 9080), "a targeted Policy without peers turns mTLS off for that port");
    assertEquals(Mode.STRICT, m.mode(RATINGS, 9090), "other ports keep the mesh's");
    // PeerAuthentication wins over the 1.4 kind at the same level.
    PeerAuthenticationModes both = modes(yaml + "---\n" + peer("istio-system", "default", "mtls: {mode: DISABLE}"));
    assertEquals(Mode.DISABLE, both.mode(REVIEWS, 9080));
  }

  /**
   * A 1.4 Policy target's ports are the service's ("the port(s) exposed by the service, not
   * workload instance ports"), by number or by name: ratings exposes port 80, named http, which
   * leads to its workload port 9080.
   */
  @Test
  void aPolicyTargetSelectsTheServicePortByNumberOrByName() {
    String policies = MESH_STRICT + """
        apiVersion: authentication.istio.io/v1alpha1
        kind: Policy
        metadata: {name: by-name, namespace: default}
        spec:
          targets:
          - name: ratings
            ports: [{name: http}]
        ---
        apiVersion: authentication.istio.io/v1alpha1
        kind: Policy
        metadata: {name: by-number, namespace: default}
        spec:
          targets:
          - name: reviews
            ports: [{number: 80}]
        """;
    PeerAuthenticationModes m = modes(policies);
    List<ServicePort> http80 = List.of(new ServicePort("http", 80, 9080, ""));
    assertEquals(new PeerAuthenticationModes.Effective(Mode.DISABLE, "Policy default/by-name, service port 80 (http)"),
        m.explain(RATINGS, 9080, http80));
    assertEquals(new PeerAuthenticationModes.Effective(Mode.DISABLE, "Policy default/by-number, service port 80 (http)"),
        m.explain(REVIEWS, 9080, http80));
    assertEquals(Mode.STRICT, m.explain(RATINGS, 9080, List.of(new ServicePort("grpc", 80, 9080, ""))).mode(),
        "another port name selects nothing: the mesh's mode");
    assertEquals(Mode.STRICT, m.explain(REVIEWS, 9080, List.of(new ServicePort("http", 9080, 9080, ""))).mode(),
        "the number is the service port's, not the workload's");
    assertEquals(Mode.STRICT, m.explain(RATINGS, 9080, List.of()).mode(), "unknown service ports select nothing");
    assertEquals(Mode.STRICT, m.mode(REVIEWS, 9080), "a port given alone is a service port of that number");
    assertEquals(Mode.DISABLE, m.mode(REVIEWS, 80));
  }

  @Test
  void badResourcesAreNamed() {
    String m = assertThrows(IllegalArgumentException.class, () -> modes(
        peer("default", "bad", "mtls: {mode: SOMETIMES}")
            + peer("default", "ports", "portLevelMtls:\n  http: {mode: STRICT}"))).getMessage();
    assertTrue(m.contains("peer.yaml") && m.contains("default/bad") && m.contains("SOMETIMES"), m);
    assertTrue(m.contains("default/ports") && m.contains("'http' is not a port number") && m.contains("needs a selector"), m);
  }
}
