package io.mizzen.kernel.mixer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.RecordingAdapter;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.HeaderOperation;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.QuotaArgs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MixerConfigCompilerTest {
  static Map<String, MixerAdapter> adapters() {
    Map<String, MixerAdapter> m = new LinkedHashMap<>();
    m.put("denier", new RecordingAdapter("denier", Set.of("checknothing")));
    m.put("listchecker", new RecordingAdapter("listchecker", Set.of("listentry")));
    m.put("memquota", new RecordingAdapter("memquota", Set.of("quota")));
    m.put("prometheus", new RecordingAdapter("prometheus", Set.of("metric")));
    m.put("stdio", new RecordingAdapter("stdio", Set.of("logentry")));
    return m;
  }

  private static MixerConfigCompiler.Compilation compile(List<Resource> resources) {
    return MixerConfigCompiler.of("istio-system", adapters()).compile(resources, 7);
  }

  private static MixerConfigCompiler.Compilation compileYaml(String yaml) {
    return compile(TestResources.parse(yaml, "test.yaml"));
  }

  @Test
  void anInstanceIsBuiltWithItsNestedFieldsAndAnAbsentOneIsNamedByItsPath() {
    MixerConfigCompiler.Compilation c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: requestcount, namespace: istio-system}
        spec:
          compiledTemplate: metric
          params:
            value: "1"
            dimensions:
              source: source.workload.name | "unknown"
              code: response.code
        """);
    assertEquals(List.of(), c.errors());
    InstanceConfig instance = c.config().instances().get("requestcount.instance.istio-system");
    AttributeBag bag = AttributeBag.builder(c.config().vocabulary())
        .put("source.workload.name", "productpage-v1").put("response.code", 200L).build();
    var built = instance.build(bag);
    assertEquals(1L, built.fields().get("value"));
    assertEquals(Map.of("source", "productpage-v1", "code", 200L), built.fields().get("dimensions"));
    AttributeBag noCode = AttributeBag.builder(c.config().vocabulary()).put("source.workload.name", "productpage-v1").build();
    io.mizzen.kernel.mixer.expr.EvaluationException absent =
        org.junit.jupiter.api.Assertions.assertThrows(io.mizzen.kernel.mixer.expr.EvaluationException.class, () -> instance.build(noCode));
    assertTrue(absent.getMessage().startsWith("instance requestcount.instance.istio-system field dimensions.code: "), absent.getMessage());
    assertTrue(absent.getMessage().contains("response.code"), absent.getMessage());
  }

  @Test
  void instancesWhoseDimensionsReadTheSameExpressionsShareOneEvaluationPerRequest() {
    MixerConfigCompiler.Compilation c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: requestcount, namespace: istio-system}
        spec:
          compiledTemplate: metric
          params:
            value: "1"
            dimensions: {source: source.workload.name | "unknown", code: response.code | 200}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: requestsize, namespace: istio-system}
        spec:
          compiledTemplate: metric
          params:
            value: request.size | 0
            dimensions: {code: response.code | 200, source: source.workload.name | "unknown"}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: bycode, namespace: istio-system}
        spec:
          compiledTemplate: metric
          params:
            value: "1"
            dimensions: {source: source.workload.name | "none", code: response.code | 200}
        """);
    assertEquals(List.of(), c.errors());
    InstanceConfig count = c.config().instances().get("requestcount.instance.istio-system");
    InstanceConfig size = c.config().instances().get("requestsize.instance.istio-system");
    InstanceConfig byCode = c.config().instances().get("bycode.instance.istio-system");
    AttributeBag bag = AttributeBag.builder(c.config().vocabulary())
        .put("response.code", 503L).put("request.size", 42L).build();
    EvaluationMemo memo = new EvaluationMemo();
    var a = count.build(bag, memo);
    var b = size.build(bag, memo);
    var d = byCode.build(bag, memo);
    assertEquals(Map.of("source", "unknown", "code", 503L), a.fields().get("dimensions"));
    assertEquals(42L, b.fields().get("value"));
    assertTrue(a.fields().get("dimensions") == b.fields().get("dimensions"),
        "the same expressions (in any order) are evaluated once for the bag");
    assertEquals(Map.of("source", "none", "code", 503L), d.fields().get("dimensions"),
        "another default is another map");

    // The next bag of the batch agrees on what the dimensions read (it differs only in request.size).
    AttributeBag same = AttributeBag.builder(c.config().vocabulary())
        .put("response.code", 503L).put("request.size", 7L).build();
    var e = size.build(same, memo);
    assertEquals(7L, e.fields().get("value"));
    assertTrue(e.fields().get("dimensions") == a.fields().get("dimensions"), "kept from the bag before");
    AttributeBag other = AttributeBag.builder(c.config().vocabulary())
        .put("source.workload.name", "reviews-v2").put("response.code", 503L).build();
    assertEquals(Map.of("source", "reviews-v2", "code", 503L), size.build(other, memo).fields().get("dimensions"),
        "a bag that differs in what the dimensions read gets its own values");
    assertEquals(Map.of("source", "unknown", "code", 200L), count.build(AttributeBag.builder(c.config().vocabulary())
        .build(), memo).fields().get("dimensions"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bookinfo/policy/mixer-rule-deny-ip.yaml", "bookinfo/policy/mixer-rule-deny-ip-crd.yaml",
      "bookinfo/policy/mixer-rule-deny-label.yaml", "bookinfo/policy/mixer-rule-deny-label-crd.yaml",
      "bookinfo/policy/mixer-rule-deny-serviceaccount.yaml", "bookinfo/policy/mixer-rule-deny-whitelist.yaml",
      "bookinfo/policy/mixer-rule-deny-whitelist-crd.yaml", "bookinfo/policy/mixer-rule-ingress-denial.yaml",
      "bookinfo/policy/mixer-rule-ratings-denial.yaml", "bookinfo/policy/mixer-rule-ratings-ratelimit.yaml",
      "bookinfo/policy/mixer-rule-productpage-ratelimit.yaml", "bookinfo/policy/mixer-rule-productpage-ratelimit-crd.yaml",
      "bookinfo/policy/mixer-rule-kubernetesenv-telemetry.yaml", "bookinfo/policy/prometheus-oop-rule.yaml",
      "bookinfo/policy/prometheus-adapter-deployment.yaml",
      "bookinfo/telemetry/log-entry.yaml", "bookinfo/telemetry/log-entry-crd.yaml",
      "bookinfo/telemetry/metrics.yaml", "bookinfo/telemetry/metrics-crd.yaml",
      "bookinfo/telemetry/tcp-metrics.yaml", "bookinfo/telemetry/tcp-metrics-crd.yaml",
      "mixer-testdata/accesslog.yaml", "mixer-testdata/attributes.yaml", "mixer-testdata/deny.yaml",
      "mixer-testdata/listcheck.yaml", "mixer-testdata/metrics.yaml", "mixer-testdata/prometheus.yaml+mixer-testdata/metrics.yaml+mixer-testdata/tcpmetrics.yaml",
      "mixer-testdata/quota.yaml", "mixer-testdata/tcp_accesslog.yaml+mixer-testdata/accesslog.yaml", "mixer-testdata/tcpmetrics.yaml",
      "mixer-testdata/listentrytemplate.yaml", "mixer-testdata/metrictemplate.yaml"})
  void sampleCompilesWithoutErrors(String file) {
    // "a+b": a's rules use handlers or instances that b declares.
    List<Resource> resources = TestResources.samples(file.split("\\+"));
    MixerConfigCompiler.Compilation c = compile(resources);
    assertTrue(c.ok(), file + ": " + c.errors());
    long mixerKinds = resources.stream().filter(r -> r.group().equals("config.istio.io")
        && !Set.of("attributemanifest", "QuotaSpec", "QuotaSpecBinding").contains(r.kind())).count();
    MixerConfig config = c.config();
    assertEquals(mixerKinds, config.handlers().size() + config.instances().size() + config.rules().size(),
        file + ": every handler, instance and rule is in the config");
  }

  @Test
  void rulesThatUseHandlersFromAnotherFileCompileTogether() {
    var c = compile(TestResources.samples("mixer-testdata/deny.yaml", "mixer-testdata/source_ip_deny.yaml",
        "mixer-testdata/source_user_filter.yaml"));
    assertTrue(c.ok(), c.errors().toString());
    assertEquals(3, c.config().rules().size());
  }

  @Test
  void adaptersThatAreNotInstalledAreRefusedNamingTheField() {
    var redis = compile(TestResources.sample("bookinfo/policy/mixer-rule-productpage-redis-quota-fixed-window.yaml"));
    assertTrue(redis.errors().stream().anyMatch(e -> e.field().equals("spec.compiledAdapter")
        && e.message().contains("unknown adapter 'redisquota'") && e.resource().name().equals("redishandler")), redis.errors().toString());
    // The rule that uses the refused handler is refused as well, naming its action's handler.
    assertTrue(redis.errors().stream().anyMatch(e -> e.resource().kind().equals("rule") && e.field().equals("spec.actions[0].handler")),
        redis.errors().toString());
    var fluentd = compile(TestResources.sample("bookinfo/telemetry/fluentd-istio-crd.yaml"));
    assertTrue(fluentd.errors().stream().anyMatch(e -> e.field().equals("kind") && e.message().contains("unknown kind 'fluentd'")),
        fluentd.errors().toString());
  }

  @Test
  void outOfProcessHandlersLoadInactiveWithAWarning() {
    var c = compile(TestResources.sample("bookinfo/policy/prometheus-oop-rule.yaml"));
    assertTrue(c.ok(), c.errors().toString());
    HandlerConfig h = c.config().handlers().get("prometheus-handler.handler.istio-system");
    assertNotNull(h);
    assertTrue(h.outOfProcess());
    assertEquals("prometheusadapter:8080", h.address());
    assertTrue(c.config().warnings().stream().anyMatch(w -> w.contains("prometheus-handler") && w.contains("inactive")), c.config().warnings().toString());
  }

  @Test
  void legacyAndNewStyleNamesResolveAsMixerDid() {
    var c = compile(TestResources.samples("bookinfo/policy/mixer-rule-deny-label-crd.yaml", "bookinfo/telemetry/metrics-crd.yaml"));
    assertTrue(c.ok(), c.errors().toString());
    RuleConfig deny = c.config().rules().stream().filter(r -> r.name().startsWith("denyreviewsv3")).findFirst().orElseThrow();
    assertEquals("denyreviewsv3handler.denier.default", deny.actions().get(0).handler());
    assertEquals(List.of("denyreviewsv3request.checknothing.default"), deny.actions().get(0).instances());
    RuleConfig prom = c.config().rules().stream().filter(r -> r.name().startsWith("doubleprom")).findFirst().orElseThrow();
    assertEquals("doublehandler.prometheus.istio-system", prom.actions().get(0).handler());
    assertEquals(List.of("doublerequestcount.instance.istio-system"), prom.actions().get(0).instances());
  }

  @Test
  void badExpressionsAreRefusedWithFieldAndColumn() {
    var c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: h, namespace: istio-system}
        spec: {compiledAdapter: denier}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: i, namespace: istio-system}
        spec:
          compiledTemplate: metric
          params:
            value: "1"
            dimensions:
              bad: source.lables["app"] | "x"
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: r1, namespace: istio-system}
        spec:
          match: request.path == 3
          actions: [{handler: h, instances: [nosuch]}]
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: r2, namespace: istio-system}
        spec:
          match: request.path
          actions: [{handler: h}]
        """);
    Map<String, String> byField = c.errors().stream().collect(Collectors.toMap(e -> e.resource().name() + " " + e.field(), ResourceError::message, (a, b) -> a + "; " + b));
    assertTrue(byField.get("i spec.params.dimensions.bad").contains("column 1: unknown attribute 'source.lables'"), byField.toString());
    assertTrue(byField.get("r1 spec.match").contains("column 14"), byField.toString());
    assertTrue(byField.get("r1 spec.actions[0].instances[0]").contains("unknown instance 'nosuch'"), byField.toString());
    assertTrue(byField.get("r2 spec.match").contains("BOOL is needed"), byField.toString());
    assertTrue(c.config().rules().isEmpty());
    assertTrue(c.errors().get(0).toString().contains("test.yaml"), "errors name the file: " + c.errors().get(0));
  }

  @Test
  void wrongTemplateForAdapterAndUnknownFieldsAreRefused() {
    var c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: h, namespace: ns1}
        spec: {compiledAdapter: denier, parms: {}}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: d, namespace: ns1}
        spec: {compiledAdapter: denier}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: m, namespace: ns1}
        spec: {compiledTemplate: metric, params: {value: "1", colour: '"red"'}}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: q, namespace: ns1}
        spec: {compiledTemplate: quota, params: {dimensions: {a: '"x"'}}}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: r, namespace: ns1}
        spec:
          actions: [{handler: d, instances: [q]}]
        """);
    List<String> errors = c.errors().stream().map(ResourceError::toString).toList();
    assertTrue(errors.stream().anyMatch(e -> e.contains("handler/ns1/h spec.parms: unknown field")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("instance/ns1/m spec.params.colour: unknown field for metric")), errors.toString());
    assertTrue(errors.stream().anyMatch(e -> e.contains("rule/ns1/r spec.actions[0].instances[0]") && e.contains("does not take quota")), errors.toString());
  }

  @Test
  void rulesAreScopedByNamespaceWithTheRootMeshWide() {
    var c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: everywhere, namespace: istio-system}
        spec: {actions: []}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: mine, namespace: bookinfo}
        spec: {actions: []}
        """);
    assertTrue(c.ok(), c.errors().toString());
    assertEquals(List.of("everywhere.rule.istio-system", "mine.rule.bookinfo"),
        c.config().rulesFor("bookinfo").stream().map(RuleConfig::name).toList());
    assertEquals(List.of("everywhere.rule.istio-system"), c.config().rulesFor("other").stream().map(RuleConfig::name).toList());
    var custom = MixerConfigCompiler.of("mesh-root", adapters()).compile(TestResources.parse("""
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: everywhere, namespace: istio-system}
        spec: {actions: []}
        """, "x"), 1);
    assertTrue(custom.config().rulesFor("other").isEmpty(), "istio-system is not special when the root is mesh-root");
  }

  @Test
  void headerOperationsCompile() {
    var c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: hdr, namespace: istio-system}
        spec:
          requestHeaderOperations:
          - name: x-user-upper
            values: [ 'request.headers["x-user"] | "anonymous"' ]
          - name: x-remove-me
            operation: REMOVE
          responseHeaderOperations:
          - name: x-served-by
            values: [ '"mizzen"' ]
            operation: APPEND
          - name: x-bad
            values: [ 'response.code' ]
        """);
    assertEquals(1, c.errors().size(), c.errors().toString());
    assertEquals("spec.responseHeaderOperations[1].values[0]", c.errors().get(0).field());
    var ok = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: hdr, namespace: istio-system}
        spec:
          requestHeaderOperations:
          - name: x-user-upper
            values: [ 'request.headers["x-user"] | "anonymous"' ]
          - name: x-remove-me
            operation: REMOVE
        """);
    RuleConfig r = ok.config().rules().get(0);
    assertEquals(HeaderOperation.Operation.REPLACE, r.requestHeaderOperations().get(0).operation());
    assertEquals(HeaderOperation.Operation.REMOVE, r.requestHeaderOperations().get(1).operation());
  }

  @Test
  void quotaSpecBindingsChargeTheBoundServiceOnly() {
    var c = compile(TestResources.sample("bookinfo/policy/mixer-rule-productpage-ratelimit.yaml"));
    assertTrue(c.ok(), c.errors().toString());
    var vocabulary = c.config().vocabulary();
    AttributeBag productpage = AttributeBag.builder(vocabulary)
        .put("destination.service.name", "productpage").put("destination.service.namespace", "default").build();
    AttributeBag reviews = AttributeBag.builder(vocabulary)
        .put("destination.service.host", "reviews.default.svc.cluster.local").build();
    assertEquals(Map.of("requestcountquota", new QuotaArgs(1, "r1", false)), c.config().quotaPlan().quotasFor(productpage, "r1"));
    assertTrue(c.config().quotaPlan().quotasFor(reviews, "r2").isEmpty());
    AttributeBag elsewhere = AttributeBag.builder(vocabulary)
        .put("destination.service.name", "productpage").put("destination.service.namespace", "staging").build();
    assertFalse(c.config().quotaPlan().quotasFor(elsewhere, "r3").containsKey("requestcountquota"));
  }

  @Test
  void configAttributeManifestsExtendTheVocabulary() {
    var c = compileYaml("""
        apiVersion: config.istio.io/v1alpha2
        kind: attributemanifest
        metadata: {name: extra, namespace: istio-system}
        spec:
          attributes:
            mesh.tenant: {valueType: STRING}
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: r, namespace: istio-system}
        spec: {match: mesh.tenant == "blue", actions: []}
        """);
    assertTrue(c.ok(), c.errors().toString());
    assertNotNull(c.config().vocabulary().typeOf("mesh.tenant"));
  }
}
