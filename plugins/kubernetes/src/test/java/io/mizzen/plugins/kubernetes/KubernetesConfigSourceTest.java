package io.mizzen.plugins.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mizzen.spi.config.ConfigSink;
import io.mizzen.spi.config.Resource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Istio's CRDs as config, against fabric8's mock API server in CRUD mode. */
class KubernetesConfigSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final IstioKind VS = kind("VirtualService");
  private static final IstioKind DR = kind("DestinationRule");
  private static final IstioKind GW = kind("Gateway");
  private static final IstioKind RULE = kind("rule");
  private static final IstioKind PEER = kind("PeerAuthentication");

  private Vertx vertx;
  private ApiServer api;
  private KubernetesClient kube;
  private KubernetesConfigSource source;
  /** What the store holds: origin → resources, as the config store would. */
  private final Map<String, List<Resource>> store = new ConcurrentHashMap<>();
  private final ConfigSink sink = new ConfigSink() {
    @Override
    public Future<List<String>> replaceOrigin(String origin, List<Resource> resources) {
      if (resources.isEmpty()) {
        store.remove(origin);
      } else {
        store.put(origin, resources);
      }
      return Future.succeededFuture(List.of());
    }

    @Override
    public void unreadable(String origin, String reason) {
      throw new AssertionError("the Kubernetes source never reports unreadable documents: " + origin + " " + reason);
    }
  };

  private static IstioKind kind(String kind) {
    return IstioKind.WATCHED.stream().filter(k -> k.kind().equals(kind)).findFirst().orElseThrow();
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    api = new ApiServer();
    kube = api.client();
  }

  @AfterEach
  void stop() throws Exception {
    if (source != null) {
      source.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    kube.close();
    api.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void startSource() throws Exception {
    source = new KubernetesConfigSource();
    source.start(new StandaloneMeshContext(vertx, api.settings()), sink)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + WAIT + ": " + what);
      }
      Thread.sleep(50); // polling a condition with a deadline, not a fixed wait
    }
  }

  /**
   * Creates probe VirtualServices until one arrives through the re-established watch. A real API
   * server replays what changed while a watch was away (from the watch's resource version); the
   * mock only streams what happens after the watch connects, so changes are made once it is back.
   */
  private void awaitWatchBack() throws InterruptedException {
    Instant deadline = Instant.now().plus(WAIT);
    for (int i = 0; Instant.now().isBefore(deadline); i++) {
      String name = "probe-" + i;
      try {
        create(VS, "probes", name, Map.of("hosts", List.of(name)));
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        // Just after the restart the client may resend a POST whose first try the server took:
        // 409 AlreadyExists means the probe is there, which is all this needs.
        if (e.getCode() != 409) {
          throw e;
        }
      }
      Instant next = Instant.now().plusSeconds(1);
      while (Instant.now().isBefore(next)) {
        if (stored(VS, "probes", name) != null) {
          return;
        }
        Thread.sleep(50); // polling a condition with a deadline, not a fixed wait
      }
    }
    throw new AssertionError("the watch did not come back within " + WAIT + " of the API server's restart");
  }

  private GenericKubernetesResource create(IstioKind kind, String ns, String name, Map<String, Object> spec) {
    GenericKubernetesResource r = new GenericKubernetesResourceBuilder().withApiVersion(kind.apiVersion()).withKind(kind.kind())
        .withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", name).endMetadata()
        .addToAdditionalProperties("spec", spec).build();
    return kube.genericKubernetesResources(kind.context()).inNamespace(ns).resource(r).create();
  }

  private Resource stored(IstioKind kind, String ns, String name) {
    List<Resource> r = store.get(kind.path(ns, name));
    return r == null ? null : r.get(0);
  }

  @Test
  void istioResourcesAreReadAndFollowCreateUpdateDelete() throws Exception {
    create(VS, "bookinfo", "reviews", Map.of("hosts", List.of("reviews"),
        "http", List.of(Map.of("route", List.of(Map.of("destination", Map.of("host", "reviews", "subset", "v1")))))));
    create(DR, "bookinfo", "reviews", Map.of("host", "reviews", "subsets", List.of(Map.of("name", "v1", "labels", Map.of("version", "v1")))));
    create(RULE, "istio-system", "deny-ratings", Map.of("match", "destination.labels[\"app\"] == \"ratings\"",
        "actions", List.of(Map.of("handler", "denyall", "instances", List.of("denyrequest")))));
    create(PEER, "istio-system", "default", Map.of("mtls", Map.of("mode", "STRICT")));
    startSource();

    // the first full read is in the store when start completes
    Resource vs = stored(VS, "bookinfo", "reviews");
    assertEquals("networking.istio.io/v1alpha3", vs.apiVersion());
    assertEquals("VirtualService", vs.kind());
    assertEquals("bookinfo", vs.namespace());
    assertEquals(Map.of("app", "reviews"), vs.labels());
    assertEquals(List.of("reviews"), vs.spec().get("hosts"));
    assertEquals("/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/virtualservices/reviews", vs.location().origin());
    assertEquals("rule", stored(RULE, "istio-system", "deny-ratings").kind());
    assertEquals(Map.of("mode", "STRICT"), stored(PEER, "istio-system", "default").spec().get("mtls"));
    assertEquals(4, store.size(), store.keySet().toString());

    // update
    kube.genericKubernetesResources(VS.context()).inNamespace("bookinfo").withName("reviews").edit(r -> {
      r.setAdditionalProperty("spec", Map.of("hosts", List.of("reviews", "reviews.bookinfo.svc.cluster.local")));
      return r;
    });
    await(() -> List.of("reviews", "reviews.bookinfo.svc.cluster.local").equals(stored(VS, "bookinfo", "reviews").spec().get("hosts")),
        "the VirtualService's new hosts");

    // create after start
    create(GW, "bookinfo", "bookinfo-gateway", Map.of("selector", Map.of("istio", "ingressgateway")));
    await(() -> stored(GW, "bookinfo", "bookinfo-gateway") != null, "the new Gateway");

    // delete
    kube.genericKubernetesResources(DR.context()).inNamespace("bookinfo").withName("reviews").delete();
    await(() -> stored(DR, "bookinfo", "reviews") == null, "the DestinationRule's deletion");
    assertTrue(stored(VS, "bookinfo", "reviews") != null);
  }

  @Test
  void anApiServerRestartDuringTheWatchIsSurvived() throws Exception {
    create(VS, "bookinfo", "ratings", Map.of("hosts", List.of("ratings")));
    startSource();
    assertTrue(stored(VS, "bookinfo", "ratings") != null);

    api.stop();
    api.start();
    kube.close();
    kube = api.client();
    awaitWatchBack();
    create(VS, "bookinfo", "details", Map.of("hosts", List.of("details")));
    kube.genericKubernetesResources(VS.context()).inNamespace("bookinfo").withName("ratings").delete();
    await(() -> stored(VS, "bookinfo", "details") != null && stored(VS, "bookinfo", "ratings") == null,
        "the create and the delete made after the restart");
  }
}
