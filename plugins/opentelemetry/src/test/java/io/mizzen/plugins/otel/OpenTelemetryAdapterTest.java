package io.mizzen.plugins.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter exports through the real SDK to a tiny OTLP/HTTP receiver on 127.0.0.1 that keeps
 * every body it is posted. OTLP bodies are protobuf, in which strings travel as plain UTF-8, so
 * the names and values sent can be found in them without a protobuf decoder.
 */
class OpenTelemetryAdapterTest {
  private final Vertx vertx = Vertx.vertx();
  private final Map<String, List<String>> received = new ConcurrentHashMap<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int receiver() throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess((Buffer body) -> {
      received.computeIfAbsent(req.path() + " " + req.getHeader("content-type"), k -> new CopyOnWriteArrayList<>())
          .add(new String(body.getBytes(), StandardCharsets.ISO_8859_1));
      req.response().putHeader("content-type", "application/x-protobuf").end();
    }));
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  private String bodies(String path) {
    return received.getOrDefault(path + " application/x-protobuf", List.of()).stream().collect(Collectors.joining("\n"));
  }

  @Test
  void metricsLogsAndSpansReachAnOtlpReceiver() throws Exception {
    int port = receiver();
    Map<String, Object> params = Map.of("endpoint", "http://127.0.0.1:" + port, "serviceName", "mixer-under-test",
        "exportInterval", "1h", "metrics", List.of(
            Map.of("instanceName", "requestcount.metric.istio-system", "name", "istio_requests_total", "kind", "COUNTER"),
            Map.of("instanceName", "requestduration.metric.istio-system", "name", "istio_request_duration_seconds", "kind", "DISTRIBUTION")));
    OpenTelemetryAdapter adapter = new OpenTelemetryAdapter();
    assertEquals(List.of(), adapter.validate(params));
    MixerAdapter.Handler h = adapter.build(params, TestContext.of(vertx, Map.of()))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    Instant start = Instant.parse("2019-12-01T10:00:00Z");
    h.report(List.of(
        new Instance("requestcount.metric.istio-system", "metric", Map.of("value", 1L, "dimensions", Map.of("destination_app", "reviews", "response_code", 200L))),
        new Instance("requestduration.metric.istio-system", "metric", Map.of("value", Duration.ofMillis(12), "dimensions", Map.of("destination_app", "reviews"))),
        new Instance("newlog.instance.istio-system", "logentry", Map.of("severity", "warning", "timestamp", start,
            "variables", Map.of("user", "jason-the-user", "responseCode", 200L))),
        new Instance("default.tracespan.istio-system", "tracespan", Map.of("span_name", "GET /reviews/0",
            "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "parent_span_id", "00f067aa0ba902b7",
            "start_time", start, "end_time", start.plusMillis(12), "span_tags", Map.of("http.method", "GET"),
            "http_status_code", 200L, "client_span", false))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // Closing the handler flushes the periodic reader and both batch processors.
    h.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

    String metrics = bodies("/v1/metrics");
    assertTrue(metrics.contains("istio_requests_total"), "metrics posted: " + received.keySet());
    assertTrue(metrics.contains("istio_request_duration_seconds"));
    assertTrue(metrics.contains("destination_app") && metrics.contains("reviews"));
    assertTrue(metrics.contains("mixer-under-test"), "the resource's service.name");
    String logs = bodies("/v1/logs");
    assertTrue(logs.contains("jason-the-user"), "logs posted: " + received.keySet());
    assertTrue(logs.contains("warning"));
    String traces = bodies("/v1/traces");
    assertTrue(traces.contains("GET /reviews/0"), "traces posted: " + received.keySet());
    byte[] traceId = java.util.HexFormat.of().parseHex("4bf92f3577b34da6a3ce929d0e0e4736");
    assertTrue(traces.contains(new String(traceId, StandardCharsets.ISO_8859_1)), "the trace id is kept");
  }

  @Test
  void badParamsAreNamedByField() {
    String all = new OpenTelemetryAdapter().validate(Map.of("endpoint", "ftp://x", "exportInterval", "0s",
            "metrics", List.of(Map.of("name", "n", "kind", "SUMMARY")), "colour", "red"))
        .stream().map(ConfigError::toString).collect(Collectors.joining("; "));
    assertTrue(all.contains("endpoint"), all);
    assertTrue(all.contains("exportInterval"), all);
    assertTrue(all.contains("metrics[0].instanceName"), all);
    assertTrue(all.contains("metrics[0].kind"), all);
    assertTrue(all.contains("colour"), all);
  }
}
