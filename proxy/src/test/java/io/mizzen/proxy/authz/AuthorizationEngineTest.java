package io.mizzen.proxy.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.authz.RequestView.RequestAuth;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** AuthorizationPolicy as Istio documents it, one table row per case. */
class AuthorizationEngineTest {
  static final WorkloadInfo PRODUCTPAGE = workload("productpage", "default");
  static final WorkloadInfo REVIEWS = workload("reviews", "default");
  static final WorkloadInfo FOO_HTTPBIN = workload("httpbin", "foo");
  static final String GATEWAY = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";
  static final String SLEEP = "cluster.local/ns/default/sa/sleep";

  static WorkloadInfo workload(String app, String ns) {
    return new WorkloadInfo(app, ns, Map.of("app", app, "version", "v1"), app, "127.0.0.1", 9080);
  }

  static RequestView request(String principal, String method, String path) {
    return new RequestView(principal, RequestView.namespaceOf(principal), "10.1.2.3", "productpage.default.svc.cluster.local", 9080,
        method, path, Map.of("version", "v2"), RequestAuth.NONE);
  }

  static String policy(String ns, String name, String spec) {
    return "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata:\n  name: " + name + "\n  namespace: " + ns
        + "\nspec:\n" + spec.indent(2) + "---\n";
  }

  record Row(String name, String yaml, WorkloadInfo workload, RequestView request, boolean allowed) {}

  static final String GATEWAY_GET = policy("default", "productpage-viewer", """
      selector: {matchLabels: {app: productpage}}
      action: ALLOW
      rules:
      - from: [{source: {principals: ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]}}]
        to: [{operation: {methods: ["GET"]}}]
      """);

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("no policy allows", "", PRODUCTPAGE, request(SLEEP, "POST", "/"), true));
    rows.add(new Row("ALLOW: the named source, GET", GATEWAY_GET, PRODUCTPAGE, request(GATEWAY, "GET", "/productpage"), true));
    rows.add(new Row("ALLOW selects productpage: POST is denied by default", GATEWAY_GET, PRODUCTPAGE, request(GATEWAY, "POST", "/"), false));
    rows.add(new Row("ALLOW selects productpage: another source is denied", GATEWAY_GET, PRODUCTPAGE, request(SLEEP, "GET", "/"), false));
    rows.add(new Row("ALLOW selects productpage: plaintext (no principal) is denied", GATEWAY_GET, PRODUCTPAGE, request("", "GET", "/"), false));
    rows.add(new Row("a workload the selector does not pick is unaffected", GATEWAY_GET, REVIEWS, request(SLEEP, "POST", "/"), true));
    rows.add(new Row("allow-nothing ({}) denies the whole namespace", policy("default", "deny-all", "{}"), REVIEWS,
        request(GATEWAY, "GET", "/"), false));
    rows.add(new Row("allow-nothing in default leaves foo alone", policy("default", "deny-all", "{}"), FOO_HTTPBIN,
        request(GATEWAY, "GET", "/"), true));
    rows.add(new Row("allow-all (rules: [{}])", policy("default", "allow-all", "rules: [{}]"), REVIEWS, request("", "DELETE", "/x"), true));
    rows.add(new Row("a root-namespace policy applies everywhere", policy("istio-system", "mesh-deny-all", "{}"), FOO_HTTPBIN,
        request(GATEWAY, "GET", "/"), false));
    String denyAdmin = policy("default", "deny-admin", """
        action: DENY
        rules: [{to: [{operation: {paths: ["/admin*"]}}]}]
        """);
    rows.add(new Row("DENY wins over ALLOW", denyAdmin + policy("default", "allow-all", "rules: [{}]"), REVIEWS,
        request(SLEEP, "GET", "/admin/users"), false));
    rows.add(new Row("DENY that does not match leaves ALLOW to decide", denyAdmin + policy("default", "allow-all", "rules: [{}]"), REVIEWS,
        request(SLEEP, "GET", "/reviews/1"), true));
    rows.add(new Row("DENY alone does not deny by default", denyAdmin, REVIEWS, request(SLEEP, "GET", "/reviews/1"), true));
    String matching = policy("default", "matching", """
        rules:
        - to: [{operation: {hosts: ["*.svc.cluster.local"], paths: ["/api/*", "*/info"], ports: ["9080"]}}]
        """);
    rows.add(new Row("prefix path", matching, REVIEWS, request(SLEEP, "GET", "/api/v1?q=1"), true));
    rows.add(new Row("suffix path", matching, REVIEWS, request(SLEEP, "GET", "/health/info"), true));
    rows.add(new Row("neither prefix nor suffix", matching, REVIEWS, request(SLEEP, "GET", "/other"), false));
    String namespaces = policy("default", "from-default", """
        rules: [{from: [{source: {namespaces: ["default"], notPrincipals: ["*/sa/sleep"]}}]}]
        """);
    rows.add(new Row("namespaces match, notPrincipals excludes by suffix", namespaces, REVIEWS, request(SLEEP, "GET", "/"), false));
    rows.add(new Row("namespaces match, another principal", namespaces, REVIEWS,
        request("cluster.local/ns/default/sa/productpage", "GET", "/"), true));
    rows.add(new Row("namespaces do not match", namespaces, REVIEWS, request(GATEWAY, "GET", "/"), false));
    String ips = policy("default", "ips", "rules: [{from: [{source: {ipBlocks: [\"10.0.0.0/8\"], notIpBlocks: [\"10.9.0.0/16\"]}}]}]");
    rows.add(new Row("ipBlocks contain the source", ips, REVIEWS, request(SLEEP, "GET", "/"), true));
    rows.add(new Row("notIpBlocks exclude it", ips, REVIEWS, withIp(request(SLEEP, "GET", "/"), "10.9.8.7"), false));
    rows.add(new Row("outside the block", ips, REVIEWS, withIp(request(SLEEP, "GET", "/"), "192.168.1.1"), false));
    String when = policy("default", "when", """
        rules:
        - when:
          - {key: "request.headers[Version]", values: ["v1", "v2"]}
          - {key: source.namespace, notValues: ["foo"]}
        """);
    rows.add(new Row("when: header and namespace hold", when, REVIEWS, request(SLEEP, "GET", "/"), true));
    rows.add(new Row("when: notValues fails", when, REVIEWS, request("cluster.local/ns/foo/sa/x", "GET", "/"), false));
    String jwt = policy("default", "jwt", """
        rules:
        - from: [{source: {requestPrincipals: ["*"]}}]
          when: [{key: "request.auth.claims[groups]", values: ["group1"]}]
        """);
    rows.add(new Row("requestPrincipals * needs a token", jwt, REVIEWS, request(SLEEP, "GET", "/"), false));
    rows.add(new Row("a token with the claim", jwt, REVIEWS, withAuth(request(SLEEP, "GET", "/"),
        new RequestAuth("issuer/alice", List.of("bookinfo"), "", Map.of("groups", List.of("group1", "group2")))), true));
    rows.add(new Row("a token without the claim", jwt, REVIEWS, withAuth(request(SLEEP, "GET", "/"),
        new RequestAuth("issuer/alice", List.of("bookinfo"), "", Map.of("groups", List.of("group2")))), false));
    rows.add(new Row("AUDIT changes nothing", policy("default", "audit", "action: AUDIT\nrules: [{}]"), REVIEWS,
        request(SLEEP, "GET", "/"), true));
    return rows;
  }

  static RequestView withIp(RequestView r, String ip) {
    return new RequestView(r.principal(), r.namespace(), ip, r.host(), r.port(), r.method(), r.path(), r.headers(), r.auth());
  }

  static RequestView withAuth(RequestView r, RequestAuth auth) {
    return new RequestView(r.principal(), r.namespace(), r.sourceIp(), r.host(), r.port(), r.method(), r.path(), r.headers(), auth);
  }

  @TestFactory
  Stream<DynamicTest> table() {
    return rows().stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
      Decision d = AuthorizationEngine.of(Yaml.parse(row.yaml(), row.name()), "istio-system").decide(row.workload(), row.request());
      assertEquals(row.allowed(), d.allowed(), row.name() + ": " + d);
    }));
  }

  @Test
  void theDecisionNamesThePolicy() {
    AuthorizationEngine engine = AuthorizationEngine.of(Yaml.parse(GATEWAY_GET, "t.yaml"), "istio-system");
    assertEquals("default/productpage-viewer", engine.decide(PRODUCTPAGE, request(GATEWAY, "GET", "/")).policy());
    assertEquals(List.of("default/productpage-viewer (ALLOW)"), engine.policiesFor(PRODUCTPAGE));
    assertEquals(List.of(), engine.policiesFor(REVIEWS));
  }

  @Test
  void badPoliciesAreNamedWithFileAndField() {
    String yaml = policy("default", "bad", """
        action: CUSTOM
        rules:
        - from: [{source: {ipBlocks: ["10.0.0.0/33", "not-an-ip", "999.1.1.1"]}}]
          to: [{operation: {ports: ["http"]}}]
          when: [{key: "request.colour", values: ["red"]}]
        """) + policy("default", "unknown-field", "rules: [{form: []}]");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuthorizationEngine.of(Yaml.parse(yaml, "policies.yaml"), "istio-system"));
    String m = e.getMessage();
    for (String expected : List.of("policies.yaml", "default/bad", "CUSTOM", "spec.rules[0].from[0].source.ipBlocks: '10.0.0.0/33'",
        "'not-an-ip'", "'999.1.1.1'", "spec.rules[0].to[0].operation.ports: 'http'", "spec.rules[0].when[0].key: 'request.colour'",
        "default/unknown-field", "form")) {
      assertTrue(m.contains(expected), "missing " + expected + " in:\n" + m);
    }
  }
}
