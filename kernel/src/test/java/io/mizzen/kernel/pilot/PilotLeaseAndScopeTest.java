package io.mizzen.kernel.pilot;

import static io.mizzen.kernel.pilot.PilotMesh.WAIT;
import static io.mizzen.kernel.pilot.PilotMesh.apply;
import static io.mizzen.kernel.pilot.PilotMesh.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.pilot.PilotMesh.RecordingProxy;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.wire.pilot.PilotGrpcClient;
import io.mizzen.spi.wire.pilot.Registration;
import io.mizzen.spi.wire.pilot.WorkloadPort;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lease expiry and the scoping of pushes by exportTo and Sidecar, over real gRPC. */
class PilotLeaseAndScopeTest {
  @TempDir
  Path home;

  @Test
  void aLeaseThatIsNotRenewedExpiresAndRemovesTheWorkload() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel watcher = null;
    Vertx vertx = Vertx.vertx();
    try {
      int port = PilotMesh.grpcPort(cp);
      watcher = PilotMesh.sidecar(home.resolve("w"), port, "productpage", "default", Map.of(), 9080);
      RecordingProxy proxy = new RecordingProxy(watcher);
      GrpcClient grpc = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      PilotGrpcClient pilot = PilotGrpcClient.create(grpc, SocketAddress.inetSocketAddress(port, "127.0.0.1"));
      long granted = get(pilot.register(Registration.newBuilder().setId("details-1").setService("details")
          .setNamespace("default").setAddress("10.0.0.7").addPorts(WorkloadPort.newBuilder().setName("http").setPort(9080))
          .setTtlMillis(300).build())).getTtlMillis();
      assertEquals(300, granted);
      Conditions.await("details among the instances", WAIT,
          () -> proxy.last() != null && proxy.last().instances().stream().anyMatch(i -> i.address().equals("10.0.0.7")));
      long registeredAt = System.nanoTime();
      // Never renewed: the lease runs out and the workload leaves every proxy's view.
      Conditions.await("details expired", WAIT,
          () -> proxy.last().instances().stream().noneMatch(i -> i.address().equals("10.0.0.7")));
      assertTrue(System.nanoTime() - registeredAt >= 200_000_000L, "removed before its lease ran out");
    } finally {
      PilotMesh.stop(watcher, cp);
      get(vertx.close());
    }
  }

  @Test
  void aRegistrationWithoutAServiceIsRefusedNamingTheField() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Vertx vertx = Vertx.vertx();
    try {
      GrpcClient grpc = GrpcClient.client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
          .setHttp2ClearTextUpgrade(false));
      PilotGrpcClient pilot = PilotGrpcClient.create(grpc, SocketAddress.inetSocketAddress(PilotMesh.grpcPort(cp), "127.0.0.1"));
      var outcome = pilot.register(Registration.newBuilder().setId("x").setAddress("10.0.0.1").build())
          .toCompletionStage().toCompletableFuture().handle((ok, e) -> e);
      Throwable refused = outcome.get();
      assertTrue(refused != null, "an empty service was accepted");
    } finally {
      PilotMesh.stop(cp);
      get(vertx.close());
    }
  }

  @Test
  void eachProxyGetsOnlyWhatExportToAndItsSidecarLetItSee() throws Exception {
    Kernel cp = PilotMesh.controlPlane(home.resolve("cp"), 0);
    Kernel inA = null;
    Kernel inB = null;
    Kernel inC = null;
    try {
      assertTrue(apply(cp, PilotMesh.virtualService("private", "a", "private.a.svc.cluster.local", 1)
          .replace("spec:\n", "spec:\n  exportTo: [\".\"]\n")).ok());
      assertTrue(apply(cp, PilotMesh.virtualService("public", "a", "public.a.svc.cluster.local", 1)).ok());
      assertTrue(apply(cp, PilotMesh.virtualService("local", "c", "local.c.svc.cluster.local", 1)).ok());
      assertTrue(apply(cp, """
          apiVersion: networking.istio.io/v1alpha3
          kind: Sidecar
          metadata:
            name: default
            namespace: c
          spec:
            egress:
            - hosts:
              - "./*"
          """).ok());
      int port = PilotMesh.grpcPort(cp);
      inA = PilotMesh.sidecar(home.resolve("a"), port, "one", "a", Map.of(), 9080);
      inB = PilotMesh.sidecar(home.resolve("b"), port, "two", "b", Map.of(), 9081);
      inC = PilotMesh.sidecar(home.resolve("c"), port, "three", "c", Map.of(), 9082);
      RecordingProxy a = new RecordingProxy(inA);
      RecordingProxy b = new RecordingProxy(inB);
      RecordingProxy c = new RecordingProxy(inC);
      Conditions.await("three snapshots", WAIT, () -> a.last() != null && b.last() != null && c.last() != null);
      assertEquals(Set.of("VirtualService/a/private", "VirtualService/a/public", "VirtualService/c/local"), keys(a.last()));
      assertEquals(Set.of("VirtualService/a/public", "VirtualService/c/local"), keys(b.last()));
      assertEquals(Set.of("VirtualService/c/local", "Sidecar/c/default"), keys(c.last()));
      // Instances are scoped too: c sees its own namespace's workloads only.
      Conditions.await("c sees three's registration", WAIT,
          () -> c.last().instances().stream().anyMatch(i -> i.service().equals("three")));
      Conditions.await("a sees all three registrations", WAIT, () -> a.last().instances().size() == 3);
      assertTrue(c.last().instances().stream().allMatch(i -> i.namespace().equals("c")), c.last().instances().toString());
    } finally {
      PilotMesh.stop(inA, inB, inC, cp);
    }
  }

  private static Set<String> keys(ProxySnapshot s) {
    return s.resources().stream().map(Resource::key).map(Object::toString).collect(Collectors.toSet());
  }
}
