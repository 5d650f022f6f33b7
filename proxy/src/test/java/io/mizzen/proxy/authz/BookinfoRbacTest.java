package io.mizzen.proxy.authz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.authz.RequestView.RequestAuth;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Bookinfo rbac.istio.io samples ({@code bookinfo/platform/kube/rbac}) behaving as Istio 1.4's
 * "Authorization for HTTP services" task documents, step by step.
 */
class BookinfoRbacTest {
  static final String RBAC = "bookinfo/platform/kube/rbac/";
  static final WorkloadInfo PRODUCTPAGE = workload("productpage", 9080);
  static final WorkloadInfo DETAILS = workload("details", 9080);
  static final WorkloadInfo REVIEWS = workload("reviews", 9080);
  static final WorkloadInfo RATINGS = workload("ratings", 9080);
  static final WorkloadInfo MONGODB = workload("mongodb", 27017);
  static final String GATEWAY = "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";

  static WorkloadInfo workload(String app, int port) {
    return new WorkloadInfo(app, "default", Map.of("app", app, "version", "v1"), "bookinfo-" + app, "127.0.0.1", port);
  }

  static String sa(String app) {
    return "cluster.local/ns/default/sa/bookinfo-" + app;
  }

  static RequestView get(String principal, WorkloadInfo to) {
    return call(principal, "GET", to);
  }

  static RequestView call(String principal, String method, WorkloadInfo to) {
    return new RequestView(principal, RequestView.namespaceOf(principal), "10.0.0.1", to.service() + ":" + to.appPort(), to.appPort(),
        method, "/", Map.of(), RequestAuth.NONE);
  }

  static RbacEngine engine(String... samples) {
    List<Resource> all = new ArrayList<>();
    for (String s : samples) {
      all.addAll(Yaml.sample(RBAC + s));
    }
    return RbacEngine.of(all, "cluster.local");
  }

  @Test
  void rbacOnWithoutPoliciesDeniesTheWholeNamespace() {
    RbacEngine rbac = engine("rbac-config-ON.yaml");
    assertFalse(rbac.decide(PRODUCTPAGE, get(GATEWAY, PRODUCTPAGE)).allowed());
    assertFalse(rbac.decide(RATINGS, get(sa("reviews"), RATINGS)).allowed());
    WorkloadInfo elsewhere = new WorkloadInfo("httpbin", "foo", Map.of("app", "httpbin"), "httpbin", "127.0.0.1", 8000);
    assertTrue(rbac.decide(elsewhere, get(GATEWAY, elsewhere)).allowed(), "inclusion names only default");
  }

  @Test
  void namespaceLevelAccessControl() {
    RbacEngine rbac = engine("rbac-config-ON.yaml", "namespace-policy.yaml");
    assertTrue(rbac.decide(PRODUCTPAGE, get(GATEWAY, PRODUCTPAGE)).allowed(), "from istio-system");
    assertTrue(rbac.decide(RATINGS, get(sa("reviews"), RATINGS)).allowed(), "from default");
    assertFalse(rbac.decide(RATINGS, call(sa("reviews"), "POST", RATINGS)).allowed(), "GET only");
    assertFalse(rbac.decide(PRODUCTPAGE, get("cluster.local/ns/foo/sa/sleep", PRODUCTPAGE)).allowed(), "from foo");
    assertFalse(rbac.decide(MONGODB, get(sa("ratings"), MONGODB)).allowed(), "mongodb's app label is not in the constraint");
  }

  @Test
  void serviceLevelAccessControlStepByStep() {
    RbacEngine step1 = engine("rbac-config-ON.yaml", "productpage-policy.yaml");
    assertTrue(step1.decide(PRODUCTPAGE, get("", PRODUCTPAGE)).allowed(), "user: \"*\" lets anyone GET productpage");
    assertFalse(step1.decide(PRODUCTPAGE, call(GATEWAY, "POST", PRODUCTPAGE)).allowed());
    assertFalse(step1.decide(DETAILS, get(sa("productpage"), DETAILS)).allowed(), "details: no policy yet");

    RbacEngine step2 = engine("rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml");
    assertTrue(step2.decide(DETAILS, get(sa("productpage"), DETAILS)).allowed());
    assertTrue(step2.decide(REVIEWS, get(sa("productpage"), REVIEWS)).allowed());
    assertFalse(step2.decide(DETAILS, get(sa("reviews"), DETAILS)).allowed(), "only productpage's account");
    assertFalse(step2.decide(RATINGS, get(sa("reviews"), RATINGS)).allowed(), "ratings: no policy yet");

    RbacEngine step3 = engine("rbac-config-ON.yaml", "productpage-policy.yaml", "details-reviews-policy.yaml", "ratings-policy.yaml");
    assertTrue(step3.decide(RATINGS, get(sa("reviews"), RATINGS)).allowed());
    assertFalse(step3.decide(RATINGS, get(sa("productpage"), RATINGS)).allowed());
  }

  @Test
  void mongodbOnlyForRatingsV2OnItsPort() {
    RbacEngine rbac = engine("rbac-config-on-mongodb.yaml", "mongodb-policy.yaml");
    assertTrue(rbac.decide(MONGODB, get("cluster.local/ns/default/sa/bookinfo-ratings-v2", MONGODB)).allowed());
    assertFalse(rbac.decide(MONGODB, get(sa("ratings"), MONGODB)).allowed(), "ratings v1's account");
    assertTrue(rbac.decide(PRODUCTPAGE, get("", PRODUCTPAGE)).allowed(), "inclusion names only mongodb");
  }

  @Test
  void permissiveModesOnlyShowInTheShadowDecision() {
    RbacEngine global = engine("rbac-config-on-permissive.yaml");
    assertTrue(global.decide(PRODUCTPAGE, get(GATEWAY, PRODUCTPAGE)).allowed(), "enforcement_mode: PERMISSIVE enforces nothing");
    assertFalse(global.shadow(PRODUCTPAGE, get(GATEWAY, PRODUCTPAGE)).allowed(), "but would deny");

    RbacEngine binding = engine("rbac-config-ON.yaml", "details-reviews-policy-permissive.yaml");
    assertFalse(binding.decide(DETAILS, get(sa("productpage"), DETAILS)).allowed(), "a PERMISSIVE binding grants nothing");
    assertTrue(binding.shadow(DETAILS, get(sa("productpage"), DETAILS)).allowed(), "but would allow");
  }

  @Test
  void aBindingToAMissingRoleIsNamed() {
    List<Resource> resources = Yaml.parse("""
        apiVersion: rbac.istio.io/v1alpha1
        kind: ServiceRoleBinding
        metadata: {name: orphan, namespace: default}
        spec:
          subjects: [{user: "*", properties: {colour: red}}]
          roleRef: {kind: ServiceRole, name: nowhere}
        """, "orphan.yaml");
    String m = assertThrows(IllegalArgumentException.class, () -> RbacEngine.of(resources, "cluster.local")).getMessage();
    assertTrue(m.contains("orphan.yaml") && m.contains("default/orphan") && m.contains("no ServiceRole 'nowhere'"), m);
  }
}
