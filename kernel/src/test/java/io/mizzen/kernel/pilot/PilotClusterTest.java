package io.mizzen.kernel.pilot;

import static io.mizzen.kernel.pilot.PilotMesh.get;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.discovery.MeshDiscovery;
import io.mizzen.kernel.pilot.PilotMesh.RecordingProxy;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.wire.pilot.PilotGrpcClient;
import io.mizzen.spi.wire.pilot.Registration;
import io.mizzen.spi.wire.pilot.WorkloadPort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-registration on two clustered control planes (real Hazelcast members on loopback): a
 * workload registered through one member is pushed to a proxy subscribed to the other; a lease
 * not renewed expires on both; and when the member that took a registration dies, the lease
 * renewed through the survivor keeps the workload in every view.
 */
class PilotClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void registrationsAreSharedExpireClusterWideAndSurviveTheLossOfAMember() throws Exception {
    int[] ports = {PilotMesh.freePort(), PilotMesh.freePort()};
    List<String> members = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]);
    String clusterName = "mizzen-pilot-" + UUID.randomUUID();
    List<Future<Kernel>> starting = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      MeshSettings d = MeshSettings.defaults(dir.resolve("cp" + i)).withPorts(MeshPorts.ephemeral());
      starting.add(Kernel.start(new MeshSettings(d.trustDomain(), d.rootNamespace(), d.pluginsDir(), d.stateDir(),
          d.pluginScanInterval(), "127.0.0.1", d.ports(), new MeshSettings.Cluster(true, clusterName, ports[i], members),
          Map.of("citadel", Map.of("port", 0, "host", "127.0.0.1"), "pilot", Map.of("debounceMillis", 20))),
          Set.of(Role.CONTROL_PLANE)));
    }
    List<Kernel> kernels = new ArrayList<>();
    Kernel watcher = null;
    Vertx vertx = Vertx.vertx();
    AtomicReference<Long> renewal = new AtomicReference<>();
    try {
      for (Future<Kernel> f : starting) {
        kernels.add(f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS));
      }
      Kernel a = kernels.get(0);
      Kernel b = kernels.get(1);
      Conditions.await("two members in one cluster", WAIT,
          () -> kernels.stream().allMatch(k -> cluster(k).getNodes().size() == 2));
      PilotGrpcClient throughA = client(vertx, a);
      PilotGrpcClient throughB = client(vertx, b);
      // The proxy that watches subscribes to b only.
      watcher = PilotMesh.sidecar(dir.resolve("watcher"), PilotMesh.grpcPort(b), "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(watcher);

      // 1. Registered through a, served to b's subscriber; never renewed, it expires on both.
      get(throughA.register(registration("details-1", "details", "10.0.0.7", 1500)));
      Conditions.await("details (registered through a) pushed by b", WAIT, () -> holds(proxy, "10.0.0.7"));
      Conditions.await("details expired in b's push", WAIT, () -> !holds(proxy, "10.0.0.7"));
      Conditions.await("details expired in a's discovery", WAIT, () -> !known(a, "10.0.0.7"));
      assertTrue(!known(b, "10.0.0.7"), "b still knows the expired lease");

      // 2. Registered through a, then renewed through b only; a dies.
      get(throughA.register(registration("reviews-1", "reviews", "10.0.0.8", 3000)));
      Conditions.await("reviews pushed by b", WAIT, () -> holds(proxy, "10.0.0.8"));
      AtomicInteger renewed = new AtomicInteger();
      AtomicReference<Throwable> renewalFailure = new AtomicReference<>();
      renewal.set(vertx.setPeriodic(500, id -> throughB.register(registration("reviews-1", "reviews", "10.0.0.8", 3000))
          .onSuccess(r -> renewed.incrementAndGet())
          .onFailure(renewalFailure::set)));
      Conditions.await("a renewal through b", WAIT, () -> renewed.get() >= 1);
      Conditions.await("a safe cluster (every backup in place)", WAIT,
          () -> cluster(b).getHazelcastInstance().getPartitionService().isClusterSafe());
      // a dies as a process would: Hazelcast terminated, no graceful hand-over.
      cluster(a).getHazelcastInstance().getLifecycleService().terminate();
      Conditions.await("b alone in the cluster", WAIT, () -> cluster(b).getNodes().size() == 1);
      int atKill = renewed.get();
      // Several leases' worth of renewals through b (each 3 s lease renewed every 0.5 s): had the
      // entry been lost with a, or had b's renewals not reached the surviving copy, it would be gone.
      Conditions.await("eight renewals through b after a died", WAIT, () -> renewed.get() >= atKill + 8);
      assertTrue(known(b, "10.0.0.8"), "b lost the registration a took: " + b.lookup(MeshDiscovery.class).instances());
      assertTrue(holds(proxy, "10.0.0.8"), "the proxy lost reviews: " + proxy.last().instances());
      assertTrue(renewalFailure.get() == null || renewed.get() > atKill, "renewals through b fail: " + renewalFailure.get());

      // 3. And once b stops renewing, it expires there too.
      vertx.cancelTimer(renewal.getAndSet(null));
      Conditions.await("reviews expired once no one renews", WAIT, () -> !holds(proxy, "10.0.0.8"));
    } finally {
      Long timer = renewal.get();
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
      PilotMesh.stop(watcher);
      for (Kernel k : kernels) {
        k.stop().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
      }
      get(vertx.close());
    }
  }

  private static Registration registration(String id, String service, String address, long ttlMillis) {
    return Registration.newBuilder().setId(id).setService(service).setNamespace("default").setAddress(address)
        .addPorts(WorkloadPort.newBuilder().setName("http").setPort(9080)).setTtlMillis(ttlMillis).build();
  }

  private static boolean holds(RecordingProxy proxy, String address) {
    return proxy.last() != null && proxy.last().instances().stream().anyMatch(i -> i.address().equals(address));
  }

  private static boolean known(Kernel cp, String address) {
    return cp.lookup(MeshDiscovery.class).instances().stream().anyMatch(i -> i.address().equals(address));
  }

  private static PilotGrpcClient client(Vertx vertx, Kernel cp) {
    GrpcClient grpc = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    return PilotGrpcClient.create(grpc, SocketAddress.inetSocketAddress(PilotMesh.grpcPort(cp), "127.0.0.1"));
  }

  private static HazelcastClusterManager cluster(Kernel k) {
    return (HazelcastClusterManager) ((VertxInternal) k.vertx()).clusterManager();
  }
}
