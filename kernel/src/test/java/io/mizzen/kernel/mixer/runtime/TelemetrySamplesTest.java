package io.mizzen.kernel.mixer.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.plugins.prometheus.PrometheusAdapter;
import io.mizzen.plugins.stdio.StdioAdapter;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeBag;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's telemetry samples through the real engine and the real prometheus and stdio plugins
 * (prometheus on a free port; stdio writes to stdout as the samples say).
 */
class TelemetrySamplesTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private final PrometheusAdapter prometheus = new PrometheusAdapter();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private MixerEngine engine(String... samples) throws Exception {
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir, Role.CONTROL_PLANE, Map.of("port", 0), List.of()),
        EngineOptions.defaults(), List.of(prometheus, new StdioAdapter()));
    assertEquals(List.of(), engine.apply(TestResources.samples(samples), 1).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    return engine;
  }

  private static AttributeBag request(MixerEngine e, String source, String destination, long code) {
    return AttributeBag.builder(e.vocabulary())
        .put("source.workload.name", source).put("source.workload.namespace", "default")
        .put("source.labels", Map.of("app", source.replaceAll("-v\\d+$", ""), "version", "v1"))
        .put("destination.workload.name", destination).put("destination.workload.namespace", "default")
        .put("destination.labels", Map.of("app", destination.replaceAll("-v\\d+$", ""), "version", "v2"))
        .put("destination.service.host", "reviews.default.svc.cluster.local")
        .put("destination.service.name", "reviews").put("destination.service.namespace", "default")
        .put("source.user", "cluster.local/ns/default/sa/bookinfo-productpage")
        .put("request.time", Instant.parse("2020-01-01T00:00:00Z")).put("request.size", 100L)
        .put("response.code", code).put("response.size", 1234L).put("response.duration", Duration.ofMillis(12))
        .put("context.protocol", "http").put("context.reporter.kind", "inbound").build();
  }

  @Test
  void doubleRequestCountReachesSlashMetricsAndLogEntriesAreWritten() throws Exception {
    MixerEngine e = engine("bookinfo/telemetry/metrics.yaml", "bookinfo/telemetry/log-entry.yaml");
    e.report(List.of(request(e, "productpage-v1", "reviews-v2", 200), request(e, "productpage-v1", "reviews-v2", 200)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String scraped = prometheus.scrape();
    assertTrue(scraped.contains("istio_double_request_count{reporter=\"server\",source=\"productpage-v1\","
        + "destination=\"reviews-v2\",message=\"twice the fun!\"} 4\n"), scraped);
    e.handlerCounts().values().forEach(c -> assertEquals(0, c.errors(), c.toString()));
    assertTrue(e.handlerCounts().get("newloghandler.handler.istio-system").calls() > 0, e.handlerCounts().toString());
  }

  @Test
  void istiosStandardMetricsAppearUnderTheirNames() throws Exception {
    MixerEngine e = engine("mixer-testdata/metrics.yaml", "mixer-testdata/tcpmetrics.yaml", "mixer-testdata/prometheus.yaml");
    e.report(List.of(request(e, "productpage-v1", "reviews-v2", 200), request(e, "productpage-v1", "reviews-v2", 503)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String scraped = prometheus.scrape();
    assertTrue(scraped.contains("# TYPE istio_requests_total counter"), scraped);
    assertTrue(scraped.contains("# TYPE istio_request_duration_seconds histogram"), scraped);
    assertTrue(scraped.lines().anyMatch(l -> l.startsWith("istio_requests_total{") && l.contains("response_code=\"503\"") && l.endsWith(" 1")), scraped);
    e.handlerCounts().values().forEach(c -> assertEquals(0, c.errors(), c.toString()));
  }
}
