package io.mizzen.plugins.prometheus;

import io.mizzen.spi.MeshContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusAdapterTest {
  static final List<String> LABELS = List.of("reporter", "source_app", "destination_app", "response_code");
  private final Vertx vertx = Vertx.vertx();

  /** The shape of mixer-testdata/prometheus.yaml, snake_case as Istio wrote it. */
  static Map<String, Object> params() {
    return Map.of("metrics", List.of(
        Map.of("name", "requests_total", "instance_name", "requestcount.metric.istio-system", "kind", "COUNTER",
            "label_names", LABELS),
        Map.of("name", "request_duration_seconds", "instance_name", "requestduration.metric.istio-system",
            "kind", "DISTRIBUTION", "label_names", LABELS,
            "buckets", Map.of("explicit_buckets", Map.of("bounds", List.of(0.005, 0.01, 0.1, 1)))),
        Map.of("name", "tcp_connections_opened_total", "instance_name", "tcpconnectionsopened.metric.istio-system",
            "kind", "GAUGE", "label_names", List.of("reporter"))));
  }

  static Instance request(String instance, Object value, String source, long code) {
    return new Instance(instance, "metric", Map.of("value", value, "dimensions",
        Map.of("reporter", "destination", "source_app", source, "destination_app", "reviews", "response_code", code)));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void metricsAppearOnSlashMetricsUnderIstiosNamesAndLabels() throws Exception {
    PrometheusAdapter adapter = new PrometheusAdapter();
    assertEquals(List.of(), adapter.validate(params()));
    MixerAdapter.Handler h = adapter.build(params(), TestContext.of(vertx, Map.of("port", 0)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    h.report(List.of(
        request("requestcount.metric.istio-system", 1L, "productpage", 200),
        request("requestcount.metric.istio-system", 1L, "productpage", 200),
        request("requestcount.metric.istio-system", 1L, "productpage", 503),
        request("requestduration.metric.istio-system", Duration.ofMillis(7), "productpage", 200),
        request("requestduration.metric.istio-system", Duration.ofMillis(500), "productpage", 200),
        new Instance("tcpconnectionsopened.metric.istio-system", "metric", Map.of("value", 4L, "dimensions", Map.of("reporter", "source"))),
        new Instance("tcpconnectionsopened.metric.istio-system", "metric", Map.of("value", 2L, "dimensions", Map.of("reporter", "source")))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + adapter.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
    String body = r.body();
    assertTrue(body.contains("# TYPE istio_requests_total counter"), body);
    assertTrue(body.contains("istio_requests_total{reporter=\"destination\",source_app=\"productpage\",destination_app=\"reviews\",response_code=\"200\"} 2\n"), body);
    assertTrue(body.contains("istio_requests_total{reporter=\"destination\",source_app=\"productpage\",destination_app=\"reviews\",response_code=\"503\"} 1\n"), body);
    String labels = "reporter=\"destination\",source_app=\"productpage\",destination_app=\"reviews\",response_code=\"200\"";
    assertTrue(body.contains("# TYPE istio_request_duration_seconds histogram"), body);
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + labels + ",le=\"0.005\"} 0\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + labels + ",le=\"0.01\"} 1\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + labels + ",le=\"1\"} 2\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 2\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_sum{" + labels + "} 0.507\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_count{" + labels + "} 2\n"), body);
    assertTrue(body.contains("istio_tcp_connections_opened_total{reporter=\"source\"} 2\n"), "a gauge keeps the last value: " + body);
  }

  @Test
  void metricsSharingOneDimensionMapEachTakeTheirOwnLabelsFromIt() throws Exception {
    PrometheusAdapter adapter = new PrometheusAdapter();
    MixerAdapter.Handler h = adapter.build(params(), TestContext.of(vertx, Map.of("port", 0)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // Mixer hands the instances of one request one evaluated dimension map when their
    // expressions agree; families with the same label names then share the series key.
    Map<String, Object> shared = Map.of("reporter", "destination", "source_app", "productpage",
        "destination_app", "reviews", "response_code", 200L);
    Map<String, Object> next = Map.of("reporter", "destination", "source_app", "productpage",
        "destination_app", "reviews", "response_code", 500L);
    h.report(List.of(
        new Instance("requestcount.metric.istio-system", "metric", Map.of("value", 1L, "dimensions", shared)),
        new Instance("tcpconnectionsopened.metric.istio-system", "metric", Map.of("value", 3L, "dimensions", shared)),
        new Instance("requestduration.metric.istio-system", "metric", Map.of("value", Duration.ofMillis(7), "dimensions", shared)),
        new Instance("requestcount.metric.istio-system", "metric", Map.of("value", 1L, "dimensions", next))))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String body = adapter.scrape();
    String labels = "reporter=\"destination\",source_app=\"productpage\",destination_app=\"reviews\"";
    assertTrue(body.contains("istio_requests_total{" + labels + ",response_code=\"200\"} 1\n"), body);
    assertTrue(body.contains("istio_requests_total{" + labels + ",response_code=\"500\"} 1\n"), body);
    assertTrue(body.contains("istio_tcp_connections_opened_total{reporter=\"destination\"} 3\n"), "its own labels: " + body);
    assertTrue(body.contains("istio_request_duration_seconds_count{" + labels + ",response_code=\"200\"} 1\n"), body);
  }

  /**
   * A batch's values are tallied per series and added once: series that alternate, and a value
   * that is not a number in between, must still count every good value exactly once.
   */
  @Test
  void aBatchAlternatingBetweenSeriesCountsEachValueOnceAndABadValueOnlyItself() throws Exception {
    PrometheusAdapter adapter = new PrometheusAdapter();
    MixerAdapter.Handler h = adapter.build(params(), TestContext.of(vertx, Map.of("port", 0)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<Instance> batch = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      batch.add(request("requestcount.metric.istio-system", 1L, i % 3 == 0 ? "a" : "b", 200));
      batch.add(request("requestduration.metric.istio-system", Duration.ofMillis(i % 2 == 0 ? 2 : 50), i % 3 == 0 ? "a" : "b", 200));
    }
    batch.add(15, request("requestcount.metric.istio-system", "many", "a", 200));
    Throwable refused = h.report(batch).toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS);
    assertTrue(refused != null && refused.getMessage().contains("'many' is not a number"), String.valueOf(refused));
    String body = adapter.scrape();
    String a = "reporter=\"destination\",source_app=\"a\",destination_app=\"reviews\",response_code=\"200\"";
    String b = "reporter=\"destination\",source_app=\"b\",destination_app=\"reviews\",response_code=\"200\"";
    assertTrue(body.contains("istio_requests_total{" + a + "} 10\n"), body);
    assertTrue(body.contains("istio_requests_total{" + b + "} 20\n"), body);
    // a: i = 0, 3, ..., 27: five even (2 ms), five odd (50 ms); b: 20, ten of each.
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + a + ",le=\"0.005\"} 5\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + a + ",le=\"0.1\"} 10\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_count{" + b + "} 20\n"), body);
    assertTrue(body.contains("istio_request_duration_seconds_bucket{" + b + ",le=\"0.005\"} 10\n"), body);
  }

  @Test
  void aNewHandlerVersionKeepsCountingAndAConflictingShapeIsRefused() throws Exception {
    PrometheusAdapter adapter = new PrometheusAdapter();
    MeshContext context = TestContext.of(vertx, Map.of("port", 0));
    MixerAdapter.Handler first = adapter.build(params(), context).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    first.report(List.of(request("requestcount.metric.istio-system", 1L, "a", 200)));
    MixerAdapter.Handler second = adapter.build(params(), context).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    second.report(List.of(request("requestcount.metric.istio-system", 1L, "a", 200)));
    assertTrue(adapter.scrape().contains("source_app=\"a\",destination_app=\"reviews\",response_code=\"200\"} 2\n"), adapter.scrape());
    Map<String, Object> other = Map.of("metrics", List.of(Map.of("name", "requests_total",
        "instance_name", "other.metric.istio-system", "kind", "GAUGE")));
    Throwable e = adapter.build(other, context).toCompletionStage().toCompletableFuture()
        .handle((h, x) -> x).get(10, TimeUnit.SECONDS);
    assertTrue(e != null && e.getMessage().contains("istio_requests_total is already exposed as COUNTER"), String.valueOf(e));
  }

  @Test
  void badParamsAreRefusedEachByItsField() {
    Map<String, Object> bad = Map.of("metrics", List.of(
        Map.of("name", "bad-name", "instance_name", "x.metric.istio-system", "kind", "SUMMARY", "label_names", List.of("ok", "1bad")),
        Map.of("name", "b", "kind", "DISTRIBUTION", "buckets", Map.of("explicit_buckets", Map.of("bounds", List.of(1, 0.5))))));
    String all = new PrometheusAdapter().validate(bad).stream().map(ConfigError::toString).collect(Collectors.joining("; "));
    assertTrue(all.contains("metrics[0].name"), all);
    assertTrue(all.contains("metrics[0].kind"), all);
    assertTrue(all.contains("metrics[0].labelNames[1]"), all);
    assertTrue(all.contains("metrics[1].instanceName"), all);
    assertTrue(all.contains("metrics[1].buckets.explicitBuckets.bounds[1]"), all);
  }

  @Test
  void bucketCountsAndBoundsOutOfRangeAreRefusedNotAllocated() {
    // 2^31 once wrapped to a negative int and crashed the compile with NegativeArraySizeException.
    Map<String, Object> bad = Map.of("metrics", List.of(
        histogram("a", Map.of("exponentialBuckets", Map.of("numFiniteBuckets", 2147483648L))),
        histogram("b", Map.of("linear_buckets", Map.of("num_finite_buckets", new java.math.BigInteger("99999999999999999999")))),
        histogram("c", Map.of("exponentialBuckets", Map.of("numFiniteBuckets", 900, "growthFactor", 10))),
        histogram("d", Map.of("explicitBuckets", Map.of("bounds", List.of("1", "Infinity")))),
        histogram("e", Map.of("linearBuckets", Map.of("numFiniteBuckets", 1000, "width", "NaN")))));
    String all = new PrometheusAdapter().validate(bad).stream().map(ConfigError::toString).collect(Collectors.joining("; "));
    assertTrue(all.contains("metrics[0].buckets.exponentialBuckets.numFiniteBuckets") && all.contains("from 1 to 999, not 2147483648"), all);
    assertTrue(all.contains("metrics[1].buckets.linearBuckets.numFiniteBuckets"), all);
    assertTrue(all.contains("metrics[2].buckets.exponentialBuckets.growthFactor") && all.contains("not a finite number"), all);
    assertTrue(all.contains("metrics[3].buckets.explicitBuckets.bounds[1]") && all.contains("finite number, not Infinity"), all);
    assertTrue(all.contains("metrics[4].buckets.linearBuckets.numFiniteBuckets"), all);
    assertTrue(all.contains("metrics[4].buckets.linearBuckets.width"), all);
    Map<String, Object> fine = Map.of("metrics", List.of(
        histogram("f", Map.of("exponentialBuckets", Map.of("numFiniteBuckets", 999, "growthFactor", "1.5")))));
    assertEquals(List.of(), new PrometheusAdapter().validate(fine));
  }

  private static Map<String, Object> histogram(String name, Map<String, Object> buckets) {
    return Map.of("name", name, "instance_name", name + ".metric.istio-system", "kind", "DISTRIBUTION", "buckets", buckets);
  }
}
