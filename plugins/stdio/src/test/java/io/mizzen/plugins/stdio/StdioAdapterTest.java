package io.mizzen.plugins.stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class StdioAdapterTest {
  @TempDir Path dir;
  private final StdioAdapter adapter = new StdioAdapter();

  private static Instance log(String severity, String user, long code) throws Exception {
    return new Instance("newlog.instance.istio-system", "logentry", Map.of(
        "severity", severity, "timestamp", Instant.parse("2019-12-01T10:00:00Z"),
        "variables", Map.of("user", user, "responseCode", code, "latency", Duration.ofMillis(12),
            "sourceIp", InetAddress.getByName("10.1.2.3"))));
  }

  @Test
  void logEntriesBecomeJsonLinesInAFileWithIstiosFieldsAndSeverityFilter(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path out = dir.resolve("logs/access.log");
    Map<String, Object> params = Map.of("logStream", "FILE", "outputPath", out.toString(),
        "severity_levels", Map.of("warning", 1), "outputLevel", "WARNING", "outputAsJson", true);
    assertEquals(List.of(), adapter.validate(params));
    List<Instance> batch = List.of(log("warning", "jason", 200), log("info", "dropped", 200), log("warning", "john", 403));
    adapter.build(params, new Context(vertx))
        .compose(h -> h.report(batch).compose(v -> h.close()))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          List<String> lines = Files.readAllLines(out);
          assertEquals(2, lines.size(), "the info line is below the output level: " + lines);
          JsonObject first = new JsonObject(lines.get(0));
          assertEquals("warn", first.getString("level"));
          assertEquals("2019-12-01T10:00:00Z", first.getString("time"));
          assertEquals("newlog.instance.istio-system", first.getString("instance"));
          assertEquals("jason", first.getString("user"));
          assertEquals(200, first.getInteger("responseCode"));
          assertEquals("12ms", first.getString("latency"));
          assertEquals("10.1.2.3", first.getString("sourceIp"));
          assertEquals("john", new JsonObject(lines.get(1)).getString("user"));
          ctx.completeNow();
        })));
  }

  @Test
  void rotatedFileRollsOverBySizeAndKeepsOnlyTheConfiguredBackups(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path out = dir.resolve("access.log");
    Map<String, Object> params = Map.of("logStream", "ROTATED_FILE", "outputPath", out.toString(),
        "maxBytesBeforeRotation", 400, "maxBackupsBeforeRemoval", 2);
    List<Instance> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(log("info", "user-" + i, 200));
    }
    adapter.build(params, new Context(vertx))
        .compose(h -> {
          Future<Void> chain = Future.succeededFuture();
          for (Instance i : batch) {
            chain = chain.compose(v -> h.report(List.of(i)));
          }
          return chain.compose(v -> h.close());
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertTrue(Files.exists(dir.resolve("access.log.1")));
          assertTrue(Files.exists(dir.resolve("access.log.2")));
          assertFalse(Files.exists(dir.resolve("access.log.3")), "only two backups are kept");
          for (Path p : List.of(out, dir.resolve("access.log.1"), dir.resolve("access.log.2"))) {
            assertTrue(Files.size(p) <= 400, p + " is " + Files.size(p) + " bytes");
          }
          String current = Files.readAllLines(out).stream().collect(Collectors.joining("\n"));
          assertTrue(current.contains("\"user-19\""), "the newest line is in the current file: " + current);
          ctx.completeNow();
        })));
  }

  @Test
  void metricsAreLinesTooWithValueAndDimensions(Vertx vertx, VertxTestContext ctx) {
    Path out = dir.resolve("metrics.log");
    Map<String, Object> params = Map.of("logStream", "FILE", "outputPath", out.toString());
    Instance metric = new Instance("requestcount.metric.istio-system", "metric",
        Map.of("value", 1L, "dimensions", Map.of("destination_service", "reviews.default.svc.cluster.local")));
    adapter.build(params, new Context(vertx))
        .compose(h -> h.report(List.of(metric)).compose(v -> h.close()))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          JsonObject line = new JsonObject(Files.readAllLines(out).get(0));
          assertEquals(1, line.getInteger("value"));
          assertEquals("reviews.default.svc.cluster.local", line.getString("destination_service"));
          assertEquals("info", line.getString("level"));
          ctx.completeNow();
        })));
  }

  @Test
  void badParamsAreRefusedEachByItsField() {
    List<ConfigError> errors = adapter.validate(Map.of("logStream", "FILE", "outputLevel", "LOUD",
        "severity_levels", Map.of("warning", "7"), "colour", "red"));
    String all = errors.stream().map(ConfigError::toString).collect(Collectors.joining("; "));
    assertTrue(all.contains("outputPath"), all);
    assertTrue(all.contains("outputLevel"), all);
    assertTrue(all.contains("severityLevels.warning"), all);
    assertTrue(all.contains("colour"), all);
  }

  /** A MeshContext with just Vert.x and blocking work: what the adapter uses. */
  private record Context(Vertx vertx) implements MeshContext {
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
      return Path.of("target");
    }

    @Override
    public Role role() {
      return Role.CONTROL_PLANE;
    }

    @Override
    public Map<String, Object> settings(String extensionName) {
      return Map.of();
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
      throw new UnsupportedOperationException("not in this test");
    }
  }
}
