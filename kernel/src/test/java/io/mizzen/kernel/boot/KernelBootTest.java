package io.mizzen.kernel.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.grpc.ControlPlaneGrpc;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.settings.MeshSettings.IoTransport;
import io.mizzen.kernel.settings.SettingsException;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.wire.health.MeshHealthGrpcClient;
import io.mizzen.spi.wire.health.PingReply;
import io.mizzen.spi.wire.health.PingRequest;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.transport.Transport;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelBootTest {
  @TempDir Path home;

  @Test
  void controlPlaneBootsServesGrpcAndAdminThenStops() throws Exception {
    try (KernelHarness k = KernelHarness.start(home)) {
      assertEquals(200, k.admin("/healthz/ready").statusCode());
      assertEquals(404, k.admin("/nope").statusCode());
      ControlPlaneGrpc.GrpcEndpoint grpc = k.kernel().lookup(ControlPlaneGrpc.GrpcEndpoint.class);
      Vertx client = Vertx.vertx();
      try {
        PingReply reply = MeshHealthGrpcClient.create(GrpcClient.client(client),
                SocketAddress.inetSocketAddress(grpc.port(), grpc.host()))
            .ping(PingRequest.newBuilder().setFrom("test").build())
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("mizzen-control-plane", reply.getServer());
      } finally {
        client.close();
      }
    }
  }

  @Test
  void aRoleNoFunctionServesIsNamed() {
    // Every role has a function in this build; the check that refuses a role without one is
    // shown on real functions: the control plane's gRPC server serves no data-plane role.
    List<MeshFunction> onlyGrpc = List.of(new ControlPlaneGrpc());
    assertEquals(List.of(Role.SIDECAR, Role.EGRESS),
        KernelBoot.unservedRoles(onlyGrpc, Set.of(Role.EGRESS, Role.SIDECAR, Role.CONTROL_PLANE)));
    assertTrue(KernelBoot.unservedRoles(onlyGrpc, Set.of(Role.CONTROL_PLANE)).isEmpty());
  }

  @Test
  void theEventLoopsRunOnTheTransportTheSettingsChoose() throws Exception {
    MeshSettings settings = MeshSettings.defaults(home).withPorts(MeshPorts.ephemeral());
    Kernel nio = Kernel.start(settings.withTransport(IoTransport.NIO), Set.of(Role.CONTROL_PLANE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      assertFalse(nio.vertx().isNativeTransportEnabled());
    } finally {
      nio.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    // auto, the default: io_uring exactly when this machine allows it (its reason is logged when not).
    Kernel auto = Kernel.start(settings, Set.of(Role.CONTROL_PLANE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      assertEquals(Transport.IO_URING != null && Transport.IO_URING.available(),
          auto.vertx().isNativeTransportEnabled(), "auto on io_uring where available, else NIO");
    } finally {
      auto.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void ioUringAskedForWhereItCannotRunIsRefusedSayingWhy() {
    assertEquals(Transport.NIO, ClusterBoot.transport(IoTransport.NIO, Transport.IO_URING));
    // Without the io_uring classes (null from Vert.x), auto falls back and io_uring is refused.
    assertEquals(Transport.NIO, ClusterBoot.transport(IoTransport.AUTO, null));
    SettingsException e = assertThrows(SettingsException.class,
        () -> ClusterBoot.transport(IoTransport.IO_URING, null));
    assertEquals(List.of("transport: io_uring is not available here (netty-transport-native-io_uring "
        + "is not on the class path); use auto or nio"), e.problems());
    // And a kernel asked for it that cannot have it does not start.
    if (Transport.IO_URING == null || !Transport.IO_URING.available()) {
      ExecutionException failed = assertThrows(ExecutionException.class, () -> Kernel.start(
              MeshSettings.defaults(home).withPorts(MeshPorts.ephemeral()).withTransport(IoTransport.IO_URING),
              Set.of(Role.CONTROL_PLANE)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertTrue(failed.getCause() instanceof SettingsException, String.valueOf(failed.getCause()));
    } else {
      assertEquals(Transport.IO_URING, ClusterBoot.transport(IoTransport.IO_URING, Transport.IO_URING));
    }
  }
}
