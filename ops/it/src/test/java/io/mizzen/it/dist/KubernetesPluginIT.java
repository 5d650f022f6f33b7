package io.mizzen.it.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped kubernetes plugin (the shaded jar in the distribution's plugins/) loads through the
 * kernel's PF4J host and reads Istio's CRDs from an API server with its own, relocated Jackson:
 * the control plane becomes ready having listed every kind. The API server is outside the system;
 * a small one here answers every list with an empty list (and refuses watches, which the informers
 * keep retrying).
 */
class KubernetesPluginIT {
  private static final Path DIST = Path.of(System.getProperty("mizzen.dist", "../dist/target/mizzen"));

  @TempDir Path work;

  @Test
  void theDistributionsPluginReadsIstioKindsFromTheApiServer() throws Exception {
    List<String> lists = new CopyOnWriteArrayList<>();
    HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext("/", exchange -> {
      String query = exchange.getRequestURI().getQuery();
      boolean watch = query != null && query.contains("watch=true");
      byte[] body = watch ? new byte[0] : ("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"1\"},"
          + "\"items\":[]}").getBytes(StandardCharsets.UTF_8);
      if (!watch) {
        lists.add(exchange.getRequestURI().getPath());
      }
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(watch ? 503 : 200, watch ? -1 : body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    api.start();
    Path plugins = Files.createDirectories(work.resolve("plugins"));
    Files.copy(DIST.resolve("plugins/plugin-kubernetes.jar"), plugins.resolve("plugin-kubernetes.jar"));
    Path yaml = Files.writeString(work.resolve("mizzen.yaml"), String.format("""
        pluginsDir: %s
        stateDir: %s
        ports: {admin: 0, grpc: 0, grpcTls: 0, mixer: 0, monitoring: 0, outbound: 0, inbound: 0, health: 0, prometheus: 0, webhook: 0}
        plugins:
          settings:
            kubernetes: {enabled: true, masterUrl: "http://127.0.0.1:%d", reconnectInterval: 500ms}
        """, plugins, work.resolve("state"), api.getAddress().getPort()));
    Process p = new ProcessBuilder(DIST.resolve("bin/mizzen").toString(), "--config", yaml.toString(), "control-plane")
        .redirectErrorStream(true).redirectOutput(work.resolve("log").toFile()).start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      int admin = AdminPort.await(p, work.resolve("log"), Duration.ofSeconds(60));
      int status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/healthz/ready"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      String log = Files.readString(work.resolve("log"));
      assertEquals(200, status, log);
      String pluginsJson = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/plugins"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(pluginsJson.contains("KubernetesConfigSource") && pluginsJson.contains("TokenReviewVerifier"), pluginsJson);
      assertTrue(lists.contains("/apis/networking.istio.io/v1alpha3/virtualservices"), lists.toString());
      assertTrue(lists.contains("/apis/security.istio.io/v1beta1/peerauthentications"), lists.toString());
      assertTrue(lists.contains("/apis/config.istio.io/v1alpha2/rules"), lists.toString());
      assertTrue(log.contains("Istio config from"), log);
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "did not exit on SIGTERM");
    } finally {
      p.destroyForcibly();
      api.stop(0);
    }
  }
}
