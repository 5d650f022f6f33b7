package io.mizzen.kernel.pilot;

import static io.mizzen.kernel.pilot.PilotMesh.WAIT;
import static io.mizzen.kernel.pilot.PilotMesh.apply;
import static io.mizzen.kernel.pilot.PilotMesh.timeoutOf;
import static io.mizzen.kernel.pilot.PilotMesh.virtualService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.config.ApplyResult;
import io.mizzen.kernel.pilot.PilotMesh.RecordingProxy;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.SnapshotFeed;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pilot's push between real kernels over gRPC on loopback. */
class PilotPushTest {
  @TempDir
  Path home;

  @Test
  void aSubscribedProxySeesAVirtualServiceChangeWithinOneSecond() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel sidecar = null;
    try {
      assertTrue(apply(cp, virtualService("reviews", "default", "reviews", 1)).ok());
      sidecar = PilotMesh.sidecar(home.resolve("sc"), PilotMesh.grpcPort(cp), "productpage", "default", Map.of("app", "productpage"), 9080);
      RecordingProxy proxy = new RecordingProxy(sidecar);
      Conditions.await("the first snapshot", WAIT, () -> "1s".equals(timeoutOf(proxy.last(), "reviews")));
      Kernel side = sidecar;
      Conditions.await("the agent is ready", WAIT, side::ready);

      long start = System.nanoTime();
      assertTrue(apply(cp, virtualService("reviews", "default", "reviews", 7)).ok());
      Conditions.await("the change", Duration.ofSeconds(1), () -> "7s".equals(timeoutOf(proxy.last(), "reviews")));
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());

      // The control plane knows the proxy holds it.
      PushStatus status = cp.lookup(PushStatus.class);
      ProxyStatus ps = Conditions.awaitValue("the proxy to be SYNCED", WAIT, () -> status.proxies().get(0),
          s -> s.sync() == ProxyStatus.Sync.SYNCED && s.acked().equals(proxy.last().version()));
      assertEquals("productpage", ps.node().service());
    } finally {
      PilotMesh.stop(sidecar, cp);
    }
  }

  @Test
  void anInvalidChangeIsRefusedAndTheProxyKeepsThePreviousConfig() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel sidecar = null;
    try {
      apply(cp, virtualService("reviews", "default", "reviews", 3));
      sidecar = PilotMesh.sidecar(home.resolve("sc"), PilotMesh.grpcPort(cp), "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(sidecar);
      Conditions.await("the first snapshot", WAIT, () -> "3s".equals(timeoutOf(proxy.last(), "reviews")));
      int before = proxy.seen.size();

      ApplyResult refused = apply(cp, virtualService("reviews", "default", "reviews", 3).replace("timeout: 3s", "timeout: 3 parsecs"));
      assertFalse(refused.ok());
      assertTrue(refused.errors().get(0).field().contains("timeout"), refused.errors().toString());
      // A later valid change still arrives, and nothing between carried the refused version.
      apply(cp, virtualService("ratings", "default", "ratings", 2));
      Conditions.await("the valid change", WAIT, () -> "2s".equals(timeoutOf(proxy.last(), "ratings")));
      for (ProxySnapshot s : proxy.seen.subList(before, proxy.seen.size())) {
        assertEquals("3s", timeoutOf(s, "reviews"));
      }
    } finally {
      PilotMesh.stop(sidecar, cp);
    }
  }

  @Test
  void aRefusedVersionIsReportedStaleAndTheNextIsStillDelivered() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel sidecar = null;
    try {
      apply(cp, virtualService("reviews", "default", "reviews", 3));
      sidecar = PilotMesh.sidecar(home.resolve("sc"), PilotMesh.grpcPort(cp), "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(sidecar);
      Conditions.await("the first snapshot", WAIT, () -> proxy.last() != null);
      proxy.refuse = s -> "4s".equals(timeoutOf(s, "reviews")) ? "route table: 4s is unlucky" : null;
      apply(cp, virtualService("reviews", "default", "reviews", 4));
      PushStatus status = cp.lookup(PushStatus.class);
      // STALE while the version is in flight too; the NACK's reason tells the refusal apart.
      ProxyStatus stale = Conditions.awaitValue("a STALE proxy with the NACK's reason", WAIT,
          () -> status.proxies().get(0), s -> s.sync() == ProxyStatus.Sync.STALE && !s.lastError().isEmpty());
      assertTrue(stale.lastError().contains("unlucky"), stale.lastError());
      assertTrue(!stale.acked().equals(stale.sent()), stale.toString());
      assertEquals("3s", timeoutOf(proxy.last(), "reviews"));

      apply(cp, virtualService("reviews", "default", "reviews", 5));
      Conditions.await("the next version", WAIT, () -> "5s".equals(timeoutOf(proxy.last(), "reviews")));
      Conditions.await("SYNCED again", WAIT, () -> status.proxies().get(0).sync() == ProxyStatus.Sync.SYNCED);
    } finally {
      PilotMesh.stop(sidecar, cp);
    }
  }

  @Test
  void withTheControlPlaneStoppedTheAgentKeepsItsSnapshotAndResyncsAfterARestart() throws Exception {
    int port = PilotMesh.freePort();
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), port);
    Kernel sidecar = null;
    try {
      apply(cp, virtualService("reviews", "default", "reviews", 3));
      sidecar = PilotMesh.sidecar(home.resolve("sc"), port, "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(sidecar);
      Conditions.await("the first snapshot", WAIT, () -> "3s".equals(timeoutOf(proxy.last(), "reviews")));
      // The agent tells the proxy where its control plane is (the proxy finds Mixer on that host).
      assertEquals(new io.mizzen.spi.proxy.ControlPlaneAddress("127.0.0.1", port),
          sidecar.lookup(io.mizzen.spi.proxy.ControlPlaneAddress.class));

      PilotMesh.stop(cp);
      cp = null;
      // The feed still answers the last snapshot, to the proxy and to a late subscriber.
      List<ProxySnapshot> late = new CopyOnWriteArrayList<>();
      sidecar.lookup(SnapshotFeed.class).subscribe(s -> {
        late.add(s);
        return Future.succeededFuture();
      });
      Conditions.await("the late subscriber's snapshot", WAIT, () -> !late.isEmpty());
      assertEquals("3s", timeoutOf(late.get(0), "reviews"));
      assertTrue(sidecar.ready());

      // The restarted control plane reads its persisted state; a change made there arrives.
      cp = PilotMesh.controlPlane(home.resolve("cp"), port);
      assertTrue(apply(cp, virtualService("reviews", "default", "reviews", 9)).ok());
      Conditions.await("the resync", WAIT, () -> "9s".equals(timeoutOf(late.get(late.size() - 1), "reviews")));
      PushStatus status = cp.lookup(PushStatus.class);
      Conditions.await("the proxy is SYNCED on the new control plane", WAIT,
          () -> !status.proxies().isEmpty() && status.proxies().get(0).sync() == ProxyStatus.Sync.SYNCED);
    } finally {
      PilotMesh.stop(sidecar, cp);
    }
  }

  @Test
  void aSelfRegisteredWorkloadAppearsInAnotherProxysInstancesAndLeavesWhenItStops() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel watcher = null;
    Kernel ratings = null;
    try {
      int port = PilotMesh.grpcPort(cp);
      watcher = PilotMesh.sidecar(home.resolve("w"), port, "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(watcher);
      Conditions.await("the first snapshot", WAIT, () -> proxy.last() != null);
      ratings = PilotMesh.sidecar(home.resolve("r"), port, "ratings", "default", Map.of("app", "ratings", "version", "v1"), 9081);
      ProxySnapshot with = Conditions.awaitValue("ratings among the instances", WAIT, proxy::last,
          s -> s.instances().stream().anyMatch(i -> i.service().equals("ratings")));
      var instance = with.instances().stream().filter(i -> i.service().equals("ratings")).findFirst().orElseThrow();
      assertEquals("ratings.default.svc.cluster.local", instance.hostname());
      assertEquals("v1", instance.labels().get("version"));
      assertEquals("ratings-sa", instance.serviceAccount());
      assertEquals(9081, instance.ports().get(0).port());
      assertEquals("self", instance.source());

      PilotMesh.stop(ratings);
      ratings = null;
      Conditions.await("ratings gone", WAIT,
          () -> proxy.last().instances().stream().noneMatch(i -> i.service().equals("ratings")));
    } finally {
      PilotMesh.stop(ratings, watcher, cp);
    }
  }
}
