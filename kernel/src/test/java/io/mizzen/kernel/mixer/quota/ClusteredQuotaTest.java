package io.mizzen.kernel.mixer.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.QuotaArgs;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three control-plane kernels clustered on loopback (real Hazelcast members) share one memquota
 * limit: requests spread over them are granted exactly the limit, and when one member is killed
 * mid-run (its Hazelcast terminated, no graceful hand-over) no counter is lost and the other two
 * keep enforcing.
 */
class ClusteredQuotaTest {
  private static final long LIMIT = 40;
  private static final String CONFIG = """
      apiVersion: config.istio.io/v1alpha2
      kind: handler
      metadata: {name: sharedquota, namespace: istio-system}
      spec:
        compiledAdapter: memquota
        params:
          quotas:
          - name: requestcount.quota.istio-system
            maxAmount: %d
      ---
      apiVersion: config.istio.io/v1alpha2
      kind: quota
      metadata: {name: requestcount, namespace: istio-system}
      spec:
        dimensions:
          destination: destination.service.name | "unknown"
      ---
      apiVersion: config.istio.io/v1alpha2
      kind: rule
      metadata: {name: quota, namespace: istio-system}
      spec:
        actions:
        - handler: sharedquota
          instances: [requestcount.quota]
      """.formatted(LIMIT);

  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void threeMembersShareOneLimitAndSurviveTheLossOfOne() throws Exception {
    int[] ports = {freePort(), freePort(), freePort()};
    List<String> members = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]);
    String clusterName = "mizzen-quota-" + UUID.randomUUID();
    List<Future<Kernel>> starting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      MeshSettings d = MeshSettings.defaults(dir.resolve("cp" + i)).withPorts(MeshPorts.ephemeral());
      MeshSettings s = new MeshSettings(d.trustDomain(), d.rootNamespace(), d.pluginsDir(), d.stateDir(),
          d.pluginScanInterval(), "127.0.0.1", d.ports(), new MeshSettings.Cluster(true, clusterName, ports[i], members),
          // Every member on free loopback ports, Citadel included.
          Map.of("citadel", Map.of("port", 0, "host", "127.0.0.1")));
      starting.add(Kernel.start(s, Set.of(Role.CONTROL_PLANE)));
    }
    List<Kernel> kernels = new ArrayList<>();
    try {
      for (Future<Kernel> f : starting) {
        kernels.add(f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
      }
      waitFor(() -> kernels.stream().allMatch(k -> cluster(k).getNodes().size() == 3), "three members in one cluster");
      for (Kernel k : kernels) {
        k.lookup(ConfigStore.class).apply(TestResources.parse(CONFIG, "quota.yaml"), List.of())
            .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      waitFor(() -> kernels.stream().allMatch(k -> k.lookup(MixerEngine.class).config().handlers().containsKey("sharedquota.handler.istio-system")),
          "every member's Mixer has the quota");

      // Partitions migrate while the cluster forms; an allocation in flight then may be counted
      // and still answered as failed (fail closed, kernel/README). Phase 1 measures the steady
      // state, so it starts once every partition has its owner and backup.
      waitFor(() -> cluster(kernels.get(0)).getHazelcastInstance().getPartitionService().isClusterSafe(),
          "a safe cluster before the first requests");

      // Phase 1: 30 requests, ten per member, three at a time (one on each) so members race.
      long granted = 0;
      for (int i = 0; i < 10; i++) {
        granted += round(kernels, "a" + i);
      }
      assertEquals(30, granted, "under the limit every request is granted");

      // Every partition's backup is in place (the cluster is "safe") before the kill, as it is in
      // steady state; on a loaded machine the first writes' migrations may still be running.
      waitFor(() -> cluster(kernels.get(0)).getHazelcastInstance().getPartitionService().isClusterSafe(), "a safe cluster");
      // Kill the third member: Hazelcast terminated, as if the process died.
      cluster(kernels.get(2)).getHazelcastInstance().getLifecycleService().terminate();
      List<Kernel> survivors = kernels.subList(0, 2);
      waitFor(() -> survivors.stream().allMatch(k -> cluster(k).getNodes().size() == 2), "two members left");

      // Phase 2: 30 more over the survivors. Had a counter been lost with the member they would
      // grant up to 30; they grant at most the 10 left. (A write in flight while partitions
      // migrate may be counted and answered as failed, fail-closed: never more, perhaps less.)
      long after = 0;
      List<String> outcomes = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        after += round(survivors, "b" + i, outcomes);
      }
      assertTrue(after <= LIMIT - 30, "the survivors granted " + after + " > " + (LIMIT - 30) + ": a counter was lost; " + outcomes);
      assertTrue(after >= LIMIT - 30 - 4, "the survivors keep serving what is left: granted " + after + "; " + outcomes);
      assertTrue(outcomes.subList(outcomes.size() - 4, outcomes.size()).stream().allMatch(o -> o.startsWith("8:")),
          "once spent, the survivors keep denying with RESOURCE_EXHAUSTED: " + outcomes);
    } finally {
      for (Kernel k : kernels) {
        k.stop().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** One request on each kernel at once; returns how many were granted. */
  private static long round(List<Kernel> kernels, String id) throws Exception {
    return round(kernels, id, new ArrayList<>());
  }

  private static long round(List<Kernel> kernels, String id, List<String> outcomes) throws Exception {
    List<Future<CheckResponse>> answers = new ArrayList<>();
    for (int m = 0; m < kernels.size(); m++) {
      Mixer mixer = kernels.get(m).lookup(Mixer.class);
      AttributeBag bag = AttributeBag.builder(mixer.vocabulary()).put("destination.service.name", "productpage").build();
      answers.add(mixer.check(new CheckRequest(bag, Map.of("requestcount", new QuotaArgs(1, id + "-" + m, false)))));
    }
    Future.all(answers).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    answers.forEach(a -> outcomes.add(a.result().effectiveStatus().statusCode() + ":" + a.result().effectiveStatus().message()));
    return answers.stream().mapToLong(a -> a.result().quotas().get("requestcount").granted()).sum();
  }

  private static HazelcastClusterManager cluster(Kernel k) {
    return (HazelcastClusterManager) ((VertxInternal) k.vertx()).clusterManager();
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Object monitor = new Object();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within 30 s: " + what);
      }
      synchronized (monitor) {
        monitor.wait(50); // a bounded poll of a condition that has no event to wait on
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
