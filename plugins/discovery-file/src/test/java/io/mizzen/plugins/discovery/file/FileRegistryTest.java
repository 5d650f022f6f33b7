package io.mizzen.plugins.discovery.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegistryTest {
  private final Vertx vertx = Vertx.vertx();
  @TempDir
  Path dir;

  /** The parts of the host's context the registry uses, over a real Vert.x. */
  record Host(Vertx vertx, Map<String, Object> mine) implements MeshContext {
    @Override
    public <T> Future<T> executeBlocking(Callable<T> task) {
      return vertx.executeBlocking(task);
    }

    @Override
    public String trustDomain() {
      return "cluster.local";
    }

    @Override
    public String rootNamespace() {
      return "istio-system";
    }

    @Override
    public Path stateDir() {
      throw new UnsupportedOperationException("the file registry keeps no state");
    }

    @Override
    public Role role() {
      return Role.CONTROL_PLANE;
    }

    @Override
    public Map<String, Object> settings(String extensionName) {
      return extensionName.equals("discovery-file") ? mine : Map.of();
    }

    @Override
    public <T> List<T> extensions(Class<T> extensionPoint) {
      return List.of();
    }

    @Override
    public <T> T lookup(Class<T> type) {
      return null;
    }

    @Override
    public <T> void publish(Class<T> type, T service) {
    }
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  @Test
  void readsWorkloadsAndFollowsEditsKeepingTheLastGoodOnABadEdit() throws Exception {
    Path file = dir.resolve("workloads.yaml");
    Files.writeString(file, """
        workloads:
        - service: reviews
          address: 10.0.0.12
          labels: {app: reviews, version: v1}
          serviceAccount: bookinfo-reviews
          ports:
          - {name: http, port: 9080, targetPort: 19080, protocol: HTTP}
        - service: ratings
          namespace: shop
          address: 10.0.0.13
        """);
    AtomicReference<List<ServiceInstance>> seen = new AtomicReference<>();
    FileRegistry registry = new FileRegistry();
    get(registry.start(new Host(vertx, Map.of("path", file.toString(), "interval", "50ms")), seen::set));
    assertEquals(List.of(
        new ServiceInstance("reviews", "default", "reviews.default.svc.cluster.local", "10.0.0.12",
            List.of(new ServicePort("http", 9080, 19080, "HTTP")), Map.of("app", "reviews", "version", "v1"),
            "bookinfo-reviews", "file"),
        new ServiceInstance("ratings", "shop", "ratings.shop.svc.cluster.local", "10.0.0.13", List.of(), Map.of(),
            "default", "file")), seen.get());

    Files.writeString(file, "workloads:\n- service: details\n  address: 10.0.0.14\n");
    await("the edit", () -> seen.get().size() == 1 && seen.get().get(0).service().equals("details"));

    Files.writeString(file, "workloads:\n- service: details\n  adress: 10.0.0.15\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
    List<ServiceInstance> before = seen.get();
    // The bad edit is read (the stamp changes) and refused: still the previous instances.
    await("the bad edit to be read", () -> before == seen.get());
    assertEquals("10.0.0.14", seen.get().get(0).address());
    get(registry.stop());
  }

  @Test
  void everyProblemNamesTheFileAndTheField() {
    WorkloadFile.Parsed p = WorkloadFile.parse("w.yaml", """
        workloads:
        - service: reviews
          adress: 10.0.0.1
          ports:
          - {port: 70000}
        - address: 10.0.0.2
          ports: [{port: http}]
        """);
    String all = String.join("\n", p.problems());
    assertTrue(all.contains("w.yaml: workloads[0].adress: unknown field"), all);
    assertTrue(all.contains("w.yaml: workloads[0].address: required"), all);
    assertTrue(all.contains("w.yaml: workloads[0].ports[0]: port 70000 is out of range"), all);
    assertTrue(all.contains("w.yaml: workloads[1].service: required"), all);
    assertTrue(all.contains("w.yaml: workloads[1].ports[0].port: must be a port number, not 'http'"), all);
    assertEquals(List.of(), p.instances());
    assertTrue(WorkloadFile.parse("w.yaml", "workloads: [\n").problems().get(0).startsWith("w.yaml:2: YAML syntax"));
  }

  @Test
  void aMissingFileOrBadSettingsFailTheStartNamingWhy() throws Exception {
    FileRegistry registry = new FileRegistry();
    Throwable missing = registry.start(new Host(vertx, Map.of("path", dir.resolve("nope.yaml").toString())), x -> { })
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
    assertTrue(missing.getMessage().contains("nope.yaml: cannot read"), missing.getMessage());
    Throwable noPath = registry.start(new Host(vertx, Map.of("interval", "5s")), x -> { })
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
    assertTrue(noPath.getMessage().startsWith("plugins.settings.discovery-file.path: required"), noPath.getMessage());
    // Not configured at all (as shipped in every distribution): an empty registry, no failure.
    java.util.List<Object> reported = new java.util.ArrayList<>();
    assertEquals(null, registry.start(new Host(vertx, Map.of()), reported::add)
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get());
    assertEquals(1, reported.size());
    Throwable badInterval = registry.start(new Host(vertx, Map.of("path", "x", "interval", "soon")), x -> { })
        .toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
    assertTrue(badInterval.getMessage().contains("interval: 'soon'"), badInterval.getMessage());
  }
}
