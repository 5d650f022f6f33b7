package io.mizzen.kernel.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigValidatorTest {
  private final ConfigLoader loader = ConfigLoader.create();
  private final ConfigValidator validator = ConfigValidator.create();

  @Test
  void everySampleFilePassesValidateOnItsOwn() {
    int files = 0;
    int warnings = 0;
    for (Path f : Samples.yamlFiles()) {
      Loaded l = loader.read(f);
      List<ConfigProblem> problems = new ArrayList<>(l.problems());
      problems.addAll(validator.validateAll(l.resources()));
      List<ConfigProblem> errors = problems.stream().filter(ConfigProblem::isError).toList();
      assertEquals(List.of(), errors, f.toString());
      warnings += (int) problems.stream().filter(p -> p.severity() == ConfigProblem.Severity.WARNING).count();
      files++;
    }
    assertTrue(files > 100, "validated " + files + " files, " + warnings + " warnings");
  }

  static final String VS = """
      apiVersion: networking.istio.io/v1alpha3
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts: [reviews]
      """;
  static final String DR = """
      apiVersion: networking.istio.io/v1alpha3
      kind: DestinationRule
      metadata:
        name: reviews
      spec:
        host: reviews
      """;
  static final String GW = """
      apiVersion: networking.istio.io/v1alpha3
      kind: Gateway
      metadata:
        name: gw
      spec:
        selector: {istio: ingressgateway}
      """;
  static final String SE = """
      apiVersion: networking.istio.io/v1alpha3
      kind: ServiceEntry
      metadata:
        name: ext
      spec:
        hosts: [api.example.com]
      """;
  static final String HTTP = VS + "  http:\n";

  /** Each case: the YAML (the offending line carries "# <-"), and the field path expected in the error. */
  static Stream<Arguments> invalidResources() {
    return Stream.of(
        Arguments.of("typo rout", HTTP + "  - rout: # <-\n    - destination: {host: reviews}\n", "spec.http[0].rout"),
        Arguments.of("weights sum", HTTP + "  - route: # <-\n    - destination: {host: reviews, subset: v1}\n      weight: 60\n"
            + "    - destination: {host: reviews, subset: v2}\n      weight: 30\n", "spec.http[0].route"),
        Arguments.of("weight range", HTTP + "  - route:\n    - destination: {host: reviews}\n      weight: 101 # <-\n",
            "spec.http[0].route[0].weight"),
        Arguments.of("weight type", HTTP + "  - route:\n    - destination: {host: reviews}\n      weight: half # <-\n",
            "spec.http[0].route[0].weight"),
        Arguments.of("timeout duration", HTTP + "  - route: [{destination: {host: reviews}}]\n    timeout: 5 seconds # <-\n",
            "spec.http[0].timeout"),
        Arguments.of("perTryTimeout duration", HTTP + "  - route: [{destination: {host: reviews}}]\n    retries:\n"
            + "      attempts: 3\n      perTryTimeout: 1x # <-\n", "spec.http[0].retries.perTryTimeout"),
        Arguments.of("zero timeout", HTTP + "  - route: [{destination: {host: reviews}}]\n    timeout: 0s # <-\n",
            "spec.http[0].timeout"),
        Arguments.of("regex syntax", HTTP + "  - match:\n    - uri:\n        regex: \"/a((\" # <-\n"
            + "    route: [{destination: {host: reviews}}]\n", "spec.http[0].match[0].uri.regex"),
        Arguments.of("oneof StringMatch", HTTP + "  - match:\n    - uri: {exact: /a, prefix: /b} # <-\n"
            + "    route: [{destination: {host: reviews}}]\n", "spec.http[0].match[0].uri"),
        Arguments.of("header case", HTTP + "  - match:\n    - headers:\n        End-User: {exact: jason} # <-\n"
            + "    route: [{destination: {host: reviews}}]\n", "spec.http[0].match[0].headers.End-User"),
        Arguments.of("match port range", HTTP + "  - match:\n    - port: 70000 # <-\n"
            + "    route: [{destination: {host: reviews}}]\n", "spec.http[0].match[0].port"),
        Arguments.of("destination port", HTTP + "  - route:\n    - destination:\n        host: reviews\n"
            + "        port: {number: 0} # <-\n", "spec.http[0].route[0].destination.port.number"),
        Arguments.of("abort status", HTTP + "  - route: [{destination: {host: reviews}}]\n    fault:\n      abort:\n"
            + "        httpStatus: 600 # <-\n", "spec.http[0].fault.abort.httpStatus"),
        Arguments.of("abort percentage", HTTP + "  - route: [{destination: {host: reviews}}]\n    fault:\n      abort:\n"
            + "        httpStatus: 503\n        percentage:\n          value: 150 # <-\n", "spec.http[0].fault.abort.percentage.value"),
        // Found by ConfigMutationPropertyTest: NaN passed the range check, and the proxy then
        // could not bind the "NaN" Pilot sent it.
        Arguments.of("abort percentage NaN", HTTP + "  - route: [{destination: {host: reviews}}]\n    fault:\n      abort:\n"
            + "        httpStatus: 503\n        percentage:\n          value: .nan # <-\n", "spec.http[0].fault.abort.percentage.value"),
        Arguments.of("delay percent", HTTP + "  - route: [{destination: {host: reviews}}]\n    fault:\n      delay:\n"
            + "        fixedDelay: 1s\n        percent: 101 # <-\n", "spec.http[0].fault.delay.percent"),
        Arguments.of("delay without fixedDelay", HTTP + "  - route: [{destination: {host: reviews}}]\n    fault:\n"
            + "      delay: # <-\n        percent: 10\n", "spec.http[0].fault.delay"),
        Arguments.of("mirror percent", HTTP + "  - route: [{destination: {host: reviews}}]\n"
            + "    mirror: {host: reviews}\n    mirrorPercent: 200 # <-\n", "spec.http[0].mirrorPercent"),
        Arguments.of("retryOn", HTTP + "  - route: [{destination: {host: reviews}}]\n    retries:\n      attempts: 2\n"
            + "      retryOn: 5xx,sometimes # <-\n", "spec.http[0].retries.retryOn"),
        Arguments.of("redirect code", HTTP + "  - redirect:\n      uri: /v2\n      redirectCode: 200 # <-\n",
            "spec.http[0].redirect.redirectCode"),
        Arguments.of("direct response status", HTTP + "  - directResponse:\n      status: 700 # <-\n",
            "spec.http[0].directResponse.status"),
        Arguments.of("no action", HTTP + "  - match: # <-\n    - uri: {prefix: /}\n", "spec.http[0]"),
        Arguments.of("hosts type", VS.replace("hosts: [reviews]", "hosts: reviews # <-")
            + "  http: [{route: [{destination: {host: reviews}}]}]\n", "spec.hosts"),
        Arguments.of("hosts missing", VS.replace("  hosts: [reviews]\n", "  http:\n")
            + "  - route: [{destination: {host: reviews}}]\n", "spec.hosts"),
        // A DestinationRule cut short before its host (found by ConfigMutationPropertyTest) once
        // crashed the validator with a NullPointerException instead of this error.
        Arguments.of("destination rule host missing", DR.replace("  host: reviews\n", "  subsets: []\n"), "spec.host"),
        Arguments.of("destination host missing", HTTP + "  - route:\n    - destination: # <-\n        subset: v1\n",
            "spec.http[0].route[0].destination.host"),
        Arguments.of("wildcard destination", HTTP + "  - route:\n    - destination:\n        host: \"*.example.com\" # <-\n",
            "spec.http[0].route[0].destination.host"),
        Arguments.of("exportTo", HTTP + "  - route: [{destination: {host: reviews}}]\n  exportTo:\n  - Not A Namespace # <-\n",
            "spec.exportTo[0]"),
        Arguments.of("wildcard for mesh", VS.replace("hosts: [reviews]", "hosts:\n  - '*' # <-")
            + "  http: [{route: [{destination: {host: reviews}}]}]\n", "spec.hosts[0]"),
        Arguments.of("tcp weights", VS + "  tcp:\n  - route: # <-\n    - destination: {host: a}\n      weight: 10\n",
            "spec.tcp[0].route"),
        Arguments.of("lb enum", DR + "  trafficPolicy:\n    loadBalancer:\n      simple: ROUND_ROBBIN # <-\n",
            "spec.trafficPolicy.loadBalancer.simple"),
        Arguments.of("duplicate subset", DR + "  subsets:\n  - name: v1\n    labels: {version: v1}\n"
            + "  - name: v1 # <-\n    labels: {version: v2}\n", "spec.subsets[1].name"),
        Arguments.of("maxEjectionPercent", DR + "  trafficPolicy:\n    outlierDetection:\n      maxEjectionPercent: 120 # <-\n",
            "spec.trafficPolicy.outlierDetection.maxEjectionPercent"),
        Arguments.of("interval duration", DR + "  trafficPolicy:\n    outlierDetection:\n      interval: ten seconds # <-\n",
            "spec.trafficPolicy.outlierDetection.interval"),
        Arguments.of("connectTimeout", DR + "  trafficPolicy:\n    connectionPool:\n      tcp:\n"
            + "        connectTimeout: 0ms # <-\n", "spec.trafficPolicy.connectionPool.tcp.connectTimeout"),
        Arguments.of("mutual without certs", DR + "  trafficPolicy:\n    tls: # <-\n      mode: MUTUAL\n",
            "spec.trafficPolicy.tls"),
        Arguments.of("port level range", DR + "  trafficPolicy:\n    portLevelSettings:\n    - port:\n"
            + "        number: 99999 # <-\n      tls: {mode: SIMPLE}\n", "spec.trafficPolicy.portLevelSettings[0].port.number"),
        Arguments.of("subset unknown field", DR + "  subsets:\n  - name: v1\n    label: {version: v1} # <-\n",
            "spec.subsets[0].label"),
        Arguments.of("gateway port", GW + "  servers:\n  - port:\n      number: 0 # <-\n      protocol: HTTP\n      name: http\n"
            + "    hosts: ['*']\n", "spec.servers[0].port.number"),
        Arguments.of("gateway protocol", GW + "  servers:\n  - port:\n      number: 80\n      protocol: HTPP # <-\n      name: http\n"
            + "    hosts: ['*']\n", "spec.servers[0].port.protocol"),
        Arguments.of("https without tls", GW + "  servers:\n  - port: {number: 443, protocol: HTTPS, name: https} # <-\n"
            + "    hosts: ['*']\n", "spec.servers[0].tls"),
        Arguments.of("gateway servers missing", GW, "spec.servers"),
        Arguments.of("gateway port name", GW + "  servers:\n  - port: # <-\n      number: 80\n      protocol: HTTP\n"
            + "    hosts: ['*']\n", "spec.servers[0].port.name"),
        Arguments.of("service entry port name", SE + "  ports:\n  - number: 80 # <-\n    protocol: HTTP\n",
            "spec.ports[0].name"),
        Arguments.of("resolution enum", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n"
            + "  resolution: DNSS # <-\n", "spec.resolution"),
        Arguments.of("static without endpoints", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n"
            + "  resolution: STATIC\n", "spec.endpoints"),
        Arguments.of("address", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  addresses:\n"
            + "  - not-an-ip # <-\n", "spec.addresses[0]"),
        // Found by ConfigMutationPropertyTest: these passed a check of the characters alone.
        Arguments.of("address octets", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  addresses:\n"
            + "  - 1.2.3.4.5 # <-\n", "spec.addresses[0]"),
        Arguments.of("address octet range", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  addresses:\n"
            + "  - 300.1.1.1/8 # <-\n", "spec.addresses[0]"),
        Arguments.of("address prefix", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  addresses:\n"
            + "  - 10.0.0.0/33 # <-\n", "spec.addresses[0]"),
        Arguments.of("address ipv6", SE + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  addresses:\n"
            + "  - \"fe80::1::2\" # <-\n", "spec.addresses[0]"),
        // Its error once named spec.servers[0].hosts[0][0], a field no Gateway has.
        Arguments.of("gateway host", GW + "  servers:\n  - port: {number: 80, protocol: HTTP, name: http}\n"
            + "    hosts: ['a/b:80'] # <-\n", "spec.servers[0].hosts[0]"),
        Arguments.of("sidecar egress host", """
            apiVersion: networking.istio.io/v1alpha3
            kind: Sidecar
            metadata: {name: default}
            spec:
              egress:
              - hosts:
                - reviews # <-
            """, "spec.egress[0].hosts[0]"),
        Arguments.of("service port", """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews}
            spec:
              ports:
              - port: 70000 # <-
                name: http
            """, "spec.ports[0].port"),
        Arguments.of("authz port", """
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec:
              rules:
              - to:
                - operation:
                    ports: ["http"] # <-
            """, "spec.rules[0].to[0].operation.ports[0]"),
        // An empty "to" item crashed validate with a NullPointerException before this error.
        Arguments.of("authz operation missing", """
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec:
              rules:
              - to:
                - {} # <-
            """, "spec.rules[0].to[0].operation"),
        // Accepted, then refused by the proxy (which checks ipBlocks before it enforces a policy).
        Arguments.of("authz ipBlocks", """
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec:
              rules:
              - from:
                - source:
                    notIpBlocks: [10.0.0.0/8, 10.0.0.0/33] # <-
            """, "spec.rules[0].from[0].source.notIpBlocks[1]"),
        Arguments.of("authz action", """
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec:
              action: PERMIT # <-
            """, "spec.action"),
        // Accepted by validate, then refused by Mixer's compiler, before validate compiled match.
        Arguments.of("mixer rule match", """
            apiVersion: config.istio.io/v1alpha2
            kind: rule
            metadata: {name: r}
            spec:
              match: destination.labels["app"] == # <-
              actions:
              - {handler: h, instances: [i]}
            """, "spec.match"),
        Arguments.of("mixer rule match type", """
            apiVersion: config.istio.io/v1alpha2
            kind: rule
            metadata: {name: r}
            spec:
              match: request.size + 1 # <-
              actions:
              - {handler: h, instances: [i]}
            """, "spec.match"),
        // Both accepted by validate, then refused by the proxy, before the checks moved to spi.
        Arguments.of("authz action CUSTOM", """
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec:
              action: CUSTOM # <-
            """, "spec.action"),
        Arguments.of("authz when key", """
            apiVersion: security.istio.io/v1beta1
            kind: AuthorizationPolicy
            metadata: {name: p}
            spec:
              rules:
              - when:
                - key: request.headers[x-version]
                  values: [v1]
                - key: source.labels[app] # <-
                  values: [web]
            """, "spec.rules[0].when[1].key"),
        Arguments.of("peer auth mode", """
            apiVersion: security.istio.io/v1beta1
            kind: PeerAuthentication
            metadata: {name: p}
            spec:
              mtls:
                mode: STRICTEST # <-
            """, "spec.mtls.mode"),
        Arguments.of("rbac inclusion", """
            apiVersion: rbac.istio.io/v1alpha1
            kind: ClusterRbacConfig
            metadata: {name: default}
            spec: # <-
              mode: ON_WITH_INCLUSION
            """, "spec.inclusion"),
        Arguments.of("binding subjects", """
            apiVersion: rbac.istio.io/v1alpha1
            kind: ServiceRoleBinding
            metadata: {name: b}
            spec: # <-
              roleRef: {kind: ServiceRole, name: r}
            """, "spec.subjects"),
        Arguments.of("policy peer oneof", """
            apiVersion: authentication.istio.io/v1alpha1
            kind: Policy
            metadata: {name: default}
            spec:
              peers:
              - mtls: {} # <-
                jwt: {issuer: me}
            """, "spec.peers[0]"),
        Arguments.of("policy target port", """
            apiVersion: authentication.istio.io/v1alpha1
            kind: Policy
            metadata: {name: reviews}
            spec:
              targets:
              - name: reviews
                ports:
                - {} # <-
            """, "spec.targets[0].ports[0]"),
        Arguments.of("mixer rule handler", """
            apiVersion: config.istio.io/v1alpha2
            kind: rule
            metadata: {name: r}
            spec:
              actions:
              - instances: [a] # <-
            """, "spec.actions[0].handler"),
        Arguments.of("unsupported version", """
            apiVersion: networking.istio.io/v9 # <-
            kind: VirtualService
            metadata: {name: r}
            """, "apiVersion"),
        Arguments.of("name syntax", """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata:
              name: Reviews_Rule # <-
            spec: {host: reviews}
            """, "metadata.name"),
        Arguments.of("namespace syntax", """
            apiVersion: networking.istio.io/v1alpha3
            kind: DestinationRule
            metadata:
              name: reviews
              namespace: my.namespace # <-
            spec: {host: reviews}
            """, "metadata.namespace"),
        Arguments.of("labels not strings", """
            apiVersion: v1
            kind: Service
            metadata:
              name: s
              labels:
                version: 2 # <-
            spec: {ports: [{port: 80}]}
            """, "metadata.labels.version"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidResources")
  void refusesWithFieldAndLine(String name, String yaml, String field) {
    int line = ConfigValidatorTestLines.marked(yaml);
    Loaded l = loader.read("case.yaml", yaml);
    List<ConfigProblem> problems = new ArrayList<>(l.problems());
    problems.addAll(validator.validateAll(l.resources()));
    List<ConfigProblem> errors = problems.stream().filter(ConfigProblem::isError).toList();
    assertFalse(errors.isEmpty(), name + " was accepted");
    String all = errors.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.line() == line
            && e.toString().contains(" " + field + ": ") && e.toString().contains("case.yaml:" + line + " ")),
        name + ": expected " + field + " at line " + line + ", got\n" + all);
  }

  @Test
  void everyErrorOfOneResourceIsReportedAtOnce() {
    Loaded l = loader.read("many.yaml", HTTP + "  - rout: []\n  - route: [{destination: {host: a}, weight: 200}]\n"
        + "    timeout: soon\n");
    List<ConfigProblem> errors = validator.validate(l.resources().get(0));
    assertEquals(List.of("spec.http[0].rout", "spec.http[1].timeout", "spec.http[0]", "spec.http[1].route[0].weight",
        "spec.http[1].route"), errors.stream().map(ConfigProblem::field).toList(), errors.toString());
  }
}
