package io.mizzen.kernel.pilot;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.config.ApplyResult;
import io.mizzen.kernel.config.ConfigLoader;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.grpc.ControlPlaneGrpc;
import io.mizzen.kernel.settings.AgentSettings;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.SnapshotFeed;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Real kernels on loopback for push tests: a control plane and data-plane kernels beside it. */
final class PilotMesh {
  private PilotMesh() {}

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A free loopback port, for a control plane that must come back on the same one. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static Kernel controlPlane(Path home, int grpcPort) throws Exception {
    MeshPorts ephemeral = MeshPorts.ephemeral();
    MeshPorts ports = new MeshPorts(0, 0, 0, 0, 0, grpcPort, 0, 0, 0);
    MeshSettings settings = MeshSettings.defaults(home).withPorts(grpcPort == 0 ? ephemeral : ports)
        .withPluginSettings(Map.of("pilot", Map.of("debounceMillis", 20)));
    return get(Kernel.start(settings, Set.of(Role.CONTROL_PLANE)));
  }

  static int grpcPort(Kernel controlPlane) {
    return controlPlane.lookup(ControlPlaneGrpc.GrpcEndpoint.class).port();
  }

  static Kernel sidecar(Path home, int grpcPort, String service, String namespace, Map<String, String> labels,
      int appPort) throws Exception {
    MeshSettings settings = MeshSettings.defaults(home).withPorts(MeshPorts.ephemeral())
        .withAgent(new AgentSettings("127.0.0.1:" + grpcPort, service, namespace, labels, service + "-sa",
            "127.0.0.1", appPort));
    return get(Kernel.start(settings, Set.of(Role.SIDECAR)));
  }

  static ApplyResult apply(Kernel controlPlane, String yaml) throws Exception {
    List<Resource> resources = ConfigLoader.create().read("test", yaml).resources();
    return get(controlPlane.lookup(ConfigStore.class).apply(resources, List.of()));
  }

  static void stop(Kernel... kernels) throws Exception {
    for (Kernel k : kernels) {
      if (k != null) {
        get(k.stop());
      }
    }
  }

  /** A proxy stand-in: records every snapshot it is given, accepting or refusing per a rule. */
  static final class RecordingProxy {
    final List<ProxySnapshot> seen = new CopyOnWriteArrayList<>();
    volatile Function<ProxySnapshot, String> refuse = s -> null;

    RecordingProxy(Kernel sidecar) {
      sidecar.lookup(SnapshotFeed.class).subscribe(s -> {
        String why = refuse.apply(s);
        if (why != null) {
          return Future.failedFuture(why);
        }
        seen.add(s);
        return Future.succeededFuture();
      });
    }

    ProxySnapshot last() {
      return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }
  }

  static String virtualService(String name, String namespace, String host, int timeoutSeconds) {
    return """
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata:
          name: %s
          namespace: %s
        spec:
          hosts:
          - %s
          http:
          - timeout: %ds
            route:
            - destination:
                host: %s
        """.formatted(name, namespace, host, timeoutSeconds, host);
  }

  /** The http[0].timeout of VirtualService {@code name} in {@code s}, or null. */
  static Object timeoutOf(ProxySnapshot s, String name) {
    if (s == null) {
      return null;
    }
    for (Resource r : s.resources()) {
      if (r.kind().equals("VirtualService") && r.name().equals(name)
          && r.spec().get("http") instanceof List<?> http && !http.isEmpty() && http.get(0) instanceof Map<?, ?> route) {
        return route.get("timeout");
      }
    }
    return null;
  }

  static final Duration WAIT = Duration.ofSeconds(10);
}
