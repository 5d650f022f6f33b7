package io.mizzen.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.config.Resource;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MeshAnalyzerTest {
  private static final ConfigLoader LOADER = ConfigLoader.create();
  private final MeshAnalyzer analyzer = MeshAnalyzer.create();

  /** What is "already applied" in every case: two services, a rule with subsets, a gateway, a role. */
  static final List<Resource> APPLIED = LOADER.read("applied.yaml", """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec: {ports: [{port: 9080, name: http}], selector: {app: reviews}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: ratings}
      spec: {ports: [{port: 9080, name: http}], selector: {app: ratings}}
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: Gateway
      metadata: {name: bookinfo-gateway}
      spec:
        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http: [{route: [{destination: {host: reviews, subset: v1}}]}]
      ---
      apiVersion: rbac.istio.io/v1alpha1
      kind: ServiceRole
      metadata: {name: viewer}
      spec: {rules: [{services: ["*"], methods: [GET]}]}
      ---
      apiVersion: networking.istio.io/v1alpha3
      kind: Sidecar
      metadata: {name: default}
      spec: {egress: [{hosts: ["./*"]}]}
      """).resources();

  static final String VS = """
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata:
        name: subject
      spec:
      """;

  static Stream<Arguments> invalidViews() {
    return Stream.of(
        Arguments.of("undefined subset", VS + "  hosts: [reviews]\n  http:\n  - route:\n    - destination:\n"
            + "        host: reviews\n        subset: v3 # <-\n", "spec.http[0].route[0].destination.subset"),
        Arguments.of("subset without rule", VS + "  hosts: [ratings]\n  http:\n  - route:\n    - destination:\n"
            + "        host: ratings\n        subset: v1 # <-\n", "spec.http[0].route[0].destination.subset"),
        Arguments.of("missing gateway", VS + "  hosts: ['*']\n  gateways:\n  - no-such-gateway # <-\n"
            + "  http: [{route: [{destination: {host: reviews}}]}]\n", "spec.gateways[0]"),
        Arguments.of("missing gateway in match", VS + "  hosts: [ratings]\n  http:\n  - match:\n    - gateways:\n"
            + "      - other/gw # <-\n    route: [{destination: {host: ratings}}]\n", "spec.http[0].match[0].gateways[0]"),
        Arguments.of("conflicting hosts", VS + "  hosts:\n  - reviews # <-\n  http: [{route: [{destination: {host: reviews}}]}]\n",
            "spec.hosts[0]"),
        Arguments.of("unknown host", VS + "  hosts: [ratings]\n  http:\n  - route:\n    - destination:\n"
            + "        host: ratingz # <-\n", "spec.http[0].route[0].destination.host"),
        Arguments.of("unknown mirror host", VS + "  hosts: [ratings]\n  http:\n  - route: [{destination: {host: ratings}}]\n"
            + "    mirror:\n      host: shadow # <-\n", "spec.http[0].mirror.host"),
        Arguments.of("unknown tcp host", VS + "  hosts: [ratings]\n  tcp:\n  - route:\n    - destination:\n"
            + "        host: mysql.db.svc.cluster.local # <-\n", "spec.tcp[0].route[0].destination.host"),
        Arguments.of("second namespace-wide sidecar", """
            apiVersion: networking.istio.io/v1alpha3
            kind: Sidecar
            metadata:
              name: other
            spec:
              egress: [{hosts: ["istio-system/*"]}]
            """, "spec.workloadSelector"),
        Arguments.of("binding to no role", """
            apiVersion: rbac.istio.io/v1alpha1
            kind: ServiceRoleBinding
            metadata: {name: b}
            spec:
              subjects: [{user: "*"}]
              roleRef:
                kind: ServiceRole
                name: editor # <-
            """, "spec.roleRef.name"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidViews")
  void refusesWithFieldAndLine(String name, String yaml, String field) {
    int line = ConfigValidatorTestLines.marked(yaml);
    Loaded l = LOADER.read("subject.yaml", yaml);
    assertEquals(List.of(), ConfigValidator.create().validateAll(l.resources()).stream().filter(ConfigProblem::isError).toList(),
        "the case is valid on its own");
    List<ConfigProblem> errors = analyzer.analyze(l.resources(), APPLIED, Set.of()).stream()
        .filter(ConfigProblem::isError).toList();
    String all = errors.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.line() == line
            && e.toString().contains("subject.yaml:" + line + " ") && e.toString().contains(" " + field + ": ")),
        name + ": expected " + field + " at line " + line + ", got\n" + all);
  }

  @Test
  void aConsistentViewHasNoErrorAndRegistryHostsResolve() {
    Loaded l = LOADER.read("ok.yaml", VS + "  hosts: ['*']\n  gateways: [bookinfo-gateway]\n  http:\n"
        + "  - route:\n    - destination: {host: reviews, subset: v2}\n      weight: 50\n"
        + "    - destination: {host: productpage.default.svc.cluster.local}\n      weight: 50\n");
    assertEquals(List.of(), analyzer.analyze(l.resources(), APPLIED, Set.of("productpage.default.svc.cluster.local")));
    assertFalse(analyzer.analyze(l.resources(), APPLIED, Set.of()).isEmpty(), "without the registry the host is unknown");
  }

  @Test
  void replacingAnAppliedResourceIsNotAConflictAndAnUnknownRuleHostIsOnlyAWarning() {
    Loaded l = LOADER.read("ok.yaml", """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http: [{route: [{destination: {host: reviews, subset: v2}}]}]
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: elsewhere}
        spec: {host: nowhere.example.com}
        """);
    List<ConfigProblem> problems = analyzer.analyze(l.resources(), APPLIED, Set.of());
    assertEquals(1, problems.size(), problems.toString());
    assertEquals(ConfigProblem.Severity.WARNING, problems.get(0).severity());
    assertEquals("spec.host", problems.get(0).field());
  }

  @Test
  void aSecondRuleForAHostAndAGatewayServingNoneOfTheHostsAreWarnings() {
    Loaded l = LOADER.read("warn.yaml", """
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: reviews-too}
        spec: {host: reviews.default.svc.cluster.local}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: Gateway
        metadata: {name: shop}
        spec:
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop.example.com"]}]
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: front}
        spec:
          hosts: [www.example.com]
          gateways: [shop]
          http: [{route: [{destination: {host: reviews}}]}]
        """);
    List<ConfigProblem> problems = analyzer.analyze(l.resources(), APPLIED, Set.of());
    assertEquals(List.of("spec.host", "spec.gateways[0]"), problems.stream().map(ConfigProblem::field).toList(),
        problems.toString());
    assertTrue(problems.stream().allMatch(p -> p.severity() == ConfigProblem.Severity.WARNING));
    assertEquals(List.of(4, 17), problems.stream().map(ConfigProblem::line).toList());
  }

  @Test
  void theBookinfoSamplesAnalyzeCleanTogether() {
    Loaded all = LOADER.read(Samples.root().resolve("bookinfo/platform/kube/bookinfo.yaml"))
        .plus(LOADER.read(Samples.root().resolve("bookinfo/networking/bookinfo-gateway.yaml")))
        .plus(LOADER.read(Samples.root().resolve("bookinfo/networking/destination-rule-all.yaml")))
        .plus(LOADER.read(Samples.root().resolve("bookinfo/networking/virtual-service-all-v1.yaml")))
        .plus(LOADER.read(Samples.root().resolve("bookinfo/networking/virtual-service-reviews-80-20.yaml")));
    List<ConfigProblem> problems = analyzer.analyze(all.resources(), List.of(), Set.of());
    assertEquals(List.of(), problems);
    Loaded withoutRules = LOADER.read(Samples.root().resolve("bookinfo/platform/kube/bookinfo.yaml"))
        .plus(LOADER.read(Samples.root().resolve("bookinfo/networking/virtual-service-all-v1.yaml")));
    assertEquals(4, analyzer.analyze(withoutRules.resources(), List.of(), Set.of()).size(),
        "each of the four VirtualServices names a subset no rule defines");
  }
}
