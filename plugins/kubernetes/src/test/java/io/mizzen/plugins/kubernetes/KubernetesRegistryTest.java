package io.mizzen.plugins.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kubernetes discovery against fabric8's mock API server in CRUD mode. */
class KubernetesRegistryTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;
  private ApiServer api;
  private KubernetesClient kube;
  private KubernetesRegistry registry;
  private final LinkedBlockingQueue<List<ServiceInstance>> reports = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    api = new ApiServer();
    kube = api.client();
  }

  @AfterEach
  void stop() throws Exception {
    if (registry != null) {
      registry.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    kube.close();
    api.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void startRegistry() throws Exception {
    registry = new KubernetesRegistry();
    registry.start(new StandaloneMeshContext(vertx, api.settings()), reports::add)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Waits for a report matching {@code wanted}, skipping older ones. */
  private List<ServiceInstance> awaitReport(Predicate<List<ServiceInstance>> wanted, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    List<ServiceInstance> last = null;
    while (Instant.now().isBefore(deadline)) {
      List<ServiceInstance> r = reports.poll(200, TimeUnit.MILLISECONDS);
      if (r != null) {
        last = r;
        if (wanted.test(r)) {
          return r;
        }
      }
    }
    throw new AssertionError("no report with " + what + " within " + WAIT + "; last: " + last);
  }

  /**
   * Adds probe endpoints until one is reported through the re-established watches. A real API
   * server replays what changed while a watch was away; the mock only streams what happens after
   * the watch connects, so the test's changes are made once it is back.
   */
  private void awaitWatchBack() throws InterruptedException {
    kube.services().resource(service("probe", "probes")).create();
    Instant deadline = Instant.now().plus(WAIT);
    for (int i = 0; Instant.now().isBefore(deadline); i++) {
      String address = "10.9.0." + (i + 1);
      kube.discovery().v1().endpointSlices().resource(slice("probe-" + i, "probes", "probe", address, "none")).create();
      Instant next = Instant.now().plusSeconds(1);
      while (Instant.now().isBefore(next)) {
        List<ServiceInstance> r = reports.poll(100, TimeUnit.MILLISECONDS);
        if (r != null && r.stream().anyMatch(x -> x.service().equals("probe"))) {
          return;
        }
      }
    }
    throw new AssertionError("the watches did not come back within " + WAIT + " of the API server's restart");
  }

  private static Service service(String name, String ns) {
    return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().addToSelector("app", name)
        .addNewPort().withName("http").withPort(9080).withNewTargetPort(9080).endPort().endSpec().build();
  }

  private static Pod pod(String name, String ns, String app, String version, String account) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("app", app).addToLabels("version", version).endMetadata()
        .withNewSpec().withServiceAccountName(account).addNewContainer().withName(app).withImage("example/" + app).endContainer()
        .endSpec().build();
  }

  private static EndpointSlice slice(String name, String ns, String service, String address, String pod) {
    return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(ns)
        .addToLabels("kubernetes.io/service-name", service).endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(9080).withProtocol("TCP").endPort()
        .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions()
        .withNewTargetRef().withKind("Pod").withName(pod).withNamespace(ns).endTargetRef().endEndpoint()
        .build();
  }

  private static boolean has(List<ServiceInstance> r, String address, String version) {
    return r.stream().anyMatch(i -> i.address().equals(address) && version.equals(i.labels().get("version")));
  }

  @Test
  void servicesSlicesAndPodsBecomeInstancesAndFollowCreateUpdateDelete() throws Exception {
    kube.services().resource(service("reviews", "bookinfo")).create();
    kube.pods().resource(pod("reviews-v1-abc", "bookinfo", "reviews", "v1", "bookinfo-reviews")).create();
    kube.discovery().v1().endpointSlices().resource(slice("reviews-x1", "bookinfo", "reviews", "10.1.0.5", "reviews-v1-abc")).create();
    startRegistry();

    List<ServiceInstance> first = reports.poll(0, TimeUnit.SECONDS);
    assertEquals(1, first.size(), first.toString());
    ServiceInstance reviews = first.get(0);
    assertEquals("reviews", reviews.service());
    assertEquals("bookinfo", reviews.namespace());
    assertEquals("reviews.bookinfo.svc.cluster.local", reviews.hostname());
    assertEquals("10.1.0.5", reviews.address());
    assertEquals(List.of(new ServicePort("http", 9080, 9080, "")), reviews.ports());
    assertEquals(Map.of("app", "reviews", "version", "v1"), reviews.labels());
    assertEquals("bookinfo-reviews", reviews.serviceAccount());
    assertEquals("kubernetes", reviews.source());

    // create: a second workload behind the same service
    kube.pods().resource(pod("reviews-v2-def", "bookinfo", "reviews", "v2", "bookinfo-reviews")).create();
    kube.discovery().v1().endpointSlices().resource(slice("reviews-x2", "bookinfo", "reviews", "10.1.0.6", "reviews-v2-def")).create();
    awaitReport(r -> has(r, "10.1.0.5", "v1") && has(r, "10.1.0.6", "v2"), "both reviews pods");

    // update: the pod's labels change
    kube.pods().inNamespace("bookinfo").withName("reviews-v2-def").edit(p -> new PodBuilder(p).editMetadata()
        .addToLabels("version", "v3").endMetadata().build());
    awaitReport(r -> has(r, "10.1.0.6", "v3"), "the relabelled pod");

    // delete: the endpoint goes away
    kube.discovery().v1().endpointSlices().inNamespace("bookinfo").withName("reviews-x1").delete();
    List<ServiceInstance> after = awaitReport(r -> r.size() == 1 && has(r, "10.1.0.6", "v3"), "only the v3 pod");
    assertTrue(after.stream().noneMatch(i -> i.address().equals("10.1.0.5")));
  }

  @Test
  void anApiServerRestartDuringTheWatchIsSurvived() throws Exception {
    kube.services().resource(service("ratings", "bookinfo")).create();
    kube.pods().resource(pod("ratings-v1-a", "bookinfo", "ratings", "v1", "bookinfo-ratings")).create();
    kube.discovery().v1().endpointSlices().resource(slice("ratings-a", "bookinfo", "ratings", "10.2.0.1", "ratings-v1-a")).create();
    startRegistry();
    assertEquals(1, reports.poll(0, TimeUnit.SECONDS).size());

    api.stop();
    api.start();
    kube.close();
    kube = api.client();
    awaitWatchBack();
    kube.pods().resource(pod("ratings-v1-b", "bookinfo", "ratings", "v1", "bookinfo-ratings")).create();
    kube.discovery().v1().endpointSlices().resource(slice("ratings-b", "bookinfo", "ratings", "10.2.0.2", "ratings-v1-b")).create();
    awaitReport(r -> has(r, "10.2.0.1", "v1") && has(r, "10.2.0.2", "v1"), "the endpoint created after the restart");
  }

  @Test
  void anUnreachableApiServerFailsTheStartNamingIt() {
    api.stop();
    registry = new KubernetesRegistry();
    Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () ->
        registry.start(new StandaloneMeshContext(vertx, api.settings()), reports::add)
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(String.valueOf(e.getCause()).contains("127.0.0.1"), String.valueOf(e.getCause()));
    api.start();
  }

  @Test
  void outsideAClusterAndNotEnabledItReportsNothingAndNeedsNoApiServer() throws Exception {
    registry = new KubernetesRegistry();
    registry.start(new StandaloneMeshContext(vertx, Map.of("enabled", false)), reports::add)
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(), reports.poll(0, TimeUnit.SECONDS));
  }
}
