package io.mizzen.plugins.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus} package) scrapes the adapter every 200 ms and a
 * PromQL query over its HTTP API returns the request count the adapter was given.
 */
class RealPrometheusTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  @TempDir Path dir;

  @Test
  void prometheusScrapesTheAdapterAndPromQlCountsTheRequests() throws Exception {
    Optional<Path> binary = prometheusBinary();
    assumeTrue(binary.isPresent(), "the 'prometheus' binary is not installed: install the Debian package "
        + "'prometheus' (apt-get install prometheus) to run this test");
    Vertx vertx = Vertx.vertx();
    Process prometheus = null;
    try {
      PrometheusAdapter adapter = new PrometheusAdapter();
      MixerAdapter.Handler h = adapter.build(PrometheusAdapterTest.params(), TestContext.of(vertx, java.util.Map.of("port", 0)))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      List<Instance> batch = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        batch.add(PrometheusAdapterTest.request("requestcount.metric.istio-system", 1L, "productpage", 200));
      }
      batch.add(PrometheusAdapterTest.request("requestcount.metric.istio-system", 1L, "productpage", 429));
      h.report(batch).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      int webPort = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 200ms
            evaluation_interval: 1s
          scrape_configs:
          - job_name: mizzen-mixer
            scrape_interval: 200ms
            static_configs:
            - targets: ['127.0.0.1:%d']
          """.formatted(adapter.port()));
      prometheus = new ProcessBuilder(binary.get().toString(), "--config.file=" + config,
          "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();

      String query = "sum(istio_requests_total{destination_app=\"reviews\",response_code=\"200\"})";
      String value = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (System.nanoTime() < deadline && !"7".equals(value)) {
        value = queryOnce(webPort, query);
        if (!"7".equals(value)) {
          // Prometheus needs a scrape or two before the series exists: poll at the scrape
          // interval, waiting on the process (an early exit is a failure) rather than sleeping.
          prometheus.waitFor(200, TimeUnit.MILLISECONDS);
          if (!prometheus.isAlive()) {
            throw new AssertionError("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
          }
        }
      }
      assertEquals("7", value, "PromQL " + query + "; prometheus log:\n" + tail(dir.resolve("prometheus.log")));
    } finally {
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** The query's single value, or null while Prometheus is not up or has no sample yet. */
  private static String queryOnce(int port, String query) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null;
      }
      JsonArray result = new JsonObject(r.body()).getJsonObject("data").getJsonArray("result");
      return result.isEmpty() ? null : result.getJsonObject(0).getJsonArray("value").getString(1);
    } catch (java.io.IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Optional<Path> prometheusBinary() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(d, "prometheus");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) throws Exception {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
