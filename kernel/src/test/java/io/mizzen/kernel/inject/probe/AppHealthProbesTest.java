package io.mizzen.kernel.inject.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.inject.InjectionTemplate;
import io.mizzen.kernel.inject.MeshDefaults;
import io.mizzen.kernel.inject.SidecarInjector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's /app-health endpoints against a real app server on 127.0.0.1, with the probers
 * JSON produced by kube-inject itself.
 */
@ExtendWith(VertxExtension.class)
class AppHealthProbesTest {

  private HttpServer app;
  private HttpServer status;
  private HttpClient kubelet;
  private Vertx vertx;
  private AppHealthProbes probes;
  private final AtomicReference<String> probeHeader = new AtomicReference<>();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    kubelet = vertx.createHttpClient();
    vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/live" -> {
          probeHeader.set(req.getHeader("X-Probe"));
          req.response().setStatusCode(200).end("ok");
        }
        case "/ready" -> req.response().setStatusCode(503).end("warming up");
        default -> { } // /hang: never answers, so the probe's timeout decides
      }
    }).listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
      app = s;
      probes = AppHealthProbes.create(vertx, probersFor(s.actualPort()));
      vertx.createHttpServer().requestHandler(probes).listen(0, "127.0.0.1").onComplete(ctx.succeeding(st -> {
        status = st;
        ctx.completeNow();
      }));
    }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    Future.all(probes.close(), kubelet.close(), app.close(), status.close()).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aProbePortOutOfRangeIsRefusedWithItsPathNotWrapped() {
    for (Object port : List.<Object>of(70000, 4294967376L, "99999999999", 0, 80.5)) {
      Map<String, Object> pod = new JsonObject()
          .put("apiVersion", "v1").put("kind", "Pod").put("metadata", new JsonObject().put("name", "web"))
          .put("spec", new JsonObject().put("containers", new JsonArray().add(new JsonObject()
              .put("name", "web").put("image", "x")
              .put("readinessProbe", new JsonObject().put("httpGet", new JsonObject().put("path", "/ready").put("port", port))))))
          .encode().transform(s -> new JsonObject(s).getMap());
      RuntimeException e = assertThrows(RuntimeException.class,
          () -> SidecarInjector.create(InjectionTemplate.defaults(), MeshDefaults.defaults()).injectObject(pod, "test:"));
      assertTrue(e.getMessage().contains("containers[0].readinessProbe.httpGet.port must be a port from 1 to 65535"),
          port + ": " + e.getMessage());
    }
  }

  /** Injects a pod whose probes point at {@code port} and returns the sidecar's ISTIO_KUBE_APP_PROBERS. */
  private static String probersFor(int port) {
    Map<String, Object> pod = new JsonObject()
        .put("apiVersion", "v1").put("kind", "Pod").put("metadata", new JsonObject().put("name", "web"))
        .put("spec", new JsonObject().put("containers", new JsonArray().add(new JsonObject()
            .put("name", "web").put("image", "x")
            .put("ports", new JsonArray().add(new JsonObject().put("name", "http").put("containerPort", port)))
            .put("livenessProbe", new JsonObject().put("httpGet", new JsonObject().put("path", "/live").put("port", "http")
                .put("httpHeaders", new JsonArray().add(new JsonObject().put("name", "X-Probe").put("value", "kubelet")))))
            .put("readinessProbe", new JsonObject().put("httpGet", new JsonObject().put("path", "/ready").put("port", port)))
            .put("startupProbe", new JsonObject().put("timeoutSeconds", 1)
                .put("httpGet", new JsonObject().put("path", "/hang").put("port", port))))))
        .encode().transform(s -> new JsonObject(s).getMap());
    SidecarInjector.create(InjectionTemplate.defaults(), MeshDefaults.defaults()).injectObject(pod, "test:");
    JsonObject injected = new JsonObject(pod);
    JsonArray containers = injected.getJsonObject("spec").getJsonArray("containers");
    JsonArray env = containers.getJsonObject(containers.size() - 1).getJsonArray("env");
    for (int i = 0; i < env.size(); i++) {
      if (AppHealthProbes.ENV.equals(env.getJsonObject(i).getString("name"))) {
        return env.getJsonObject(i).getString("value");
      }
    }
    throw new AssertionError("no " + AppHealthProbes.ENV + " in " + env.encode());
  }

  private Future<String> get(String path) {
    io.vertx.core.Promise<String> answered = io.vertx.core.Promise.promise();
    // Run on an event loop: a chain built on the test thread can ask for the body after Vert.x
    // 5.0.7 delivered its end, and the body then never completes (eclipse-vertx/vert.x#6038).
    vertx.runOnContext(v -> kubelet.request(HttpMethod.GET, status.actualPort(), "127.0.0.1", path)
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)))
        .onComplete(answered));
    return answered.future();
  }

  @Test
  void probesGoToTheAppWithTheOriginalPathPortAndHeaders(VertxTestContext ctx) {
    assertEquals(List.of("/app-health/web/livez", "/app-health/web/readyz", "/app-health/web/startupz"),
        probes.paths().stream().sorted().toList());
    get("/app-health/web/livez").compose(live -> get("/app-health/web/readyz").map(ready -> List.of(live, ready)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals("200 ", r.get(0));
          assertEquals("kubelet", probeHeader.get(), "the probe's httpHeaders are sent");
          assertEquals("503 ", r.get(1), "the app's own failure is passed on");
          ctx.completeNow();
        })));
  }

  @Test
  void anAppThatDoesNotAnswerInTimeFailsTheProbe(VertxTestContext ctx) {
    long started = System.nanoTime();
    get("/app-health/web/startupz").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertTrue(r.startsWith("503 http://127.0.0.1:" + app.actualPort() + "/hang for /app-health/web/startupz failed"), r);
      assertTrue(System.nanoTime() - started < 10_000_000_000L, "bounded by timeoutSeconds");
      ctx.completeNow();
    })));
  }

  @Test
  void anAppThatIsDownFailsTheProbe(VertxTestContext ctx) {
    app.close().compose(v -> get("/app-health/web/livez")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertTrue(r.startsWith("503 http://127.0.0.1:"), r);
      ctx.completeNow();
    })));
  }

  @Test
  void unknownPathsAre404(VertxTestContext ctx) {
    get("/app-health/other/livez").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals("404 no app probe /app-health/other/livez", r);
      ctx.completeNow();
    })));
  }

  @Test
  void malformedProbersAreRefusedByField(Vertx vertx) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AppHealthProbes.create(vertx,
        "{\"/app-health/a/livez\":{\"httpGet\":{\"path\":\"/\",\"port\":\"http\"}}}"));
    assertEquals("ISTIO_KUBE_APP_PROBERS[/app-health/a/livez].httpGet.port must be a port number, got http", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AppHealthProbes.create(vertx, "{\"/livez\":{}}"));
    assertThrows(IllegalArgumentException.class, () -> AppHealthProbes.create(vertx, "not json"));
    assertTrue(AppHealthProbes.create(vertx, null).paths().isEmpty());
  }
}
