package io.mizzen.kernel.inject.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mizzen.kernel.inject.InjectionTemplate;
import io.mizzen.kernel.inject.MeshDefaults;
import io.mizzen.kernel.inject.SidecarInjector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The admission webhook over real HTTPS on 127.0.0.1, answering AdmissionReview v1 requests. */
@ExtendWith(VertxExtension.class)
class InjectionWebhookTest {

  private static final String PASSWORD = "webhook-test";
  @TempDir
  static Path certs;
  private static Path keystore;

  private final SidecarInjector injector = SidecarInjector.create(InjectionTemplate.defaults(), MeshDefaults.defaults());
  private HttpServer server;
  private HttpClient client;

  /** A TLS certificate for 127.0.0.1, made by the JDK's keytool (the mesh CA is another module). */
  @BeforeAll
  static void certificate() throws IOException, InterruptedException {
    keystore = certs.resolve("webhook.p12");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "webhook", "-validity", "1",
        "-dname", "CN=mizzen-control-plane.mizzen-system.svc",
        "-ext", "SAN=dns:mizzen-control-plane.mizzen-system.svc,ip:127.0.0.1",
        "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
  }

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    PfxOptions pfx = new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD);
    HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true).setKeyCertOptions(pfx);
    client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustOptions(pfx).setVerifyHost(true));
    InjectionWebhook.serve(vertx, InjectionWebhook.create(injector), options)
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext ctx) {
    client.close().compose(v -> server.close()).onComplete(ctx.succeedingThenComplete());
  }

  private Vertx vertx;

  /** A status and the whole body, read as the response arrives. */
  private record Answer(int status, Buffer body) {}

  private Future<Answer> send(HttpMethod method, String path, Buffer body) {
    io.vertx.core.Promise<Answer> answered = io.vertx.core.Promise.promise();
    // Run on an event loop: a chain built on the test thread can ask for the body after Vert.x
    // 5.0.7 delivered its end, and the body then never completes (eclipse-vertx/vert.x#6038).
    vertx.runOnContext(v -> client.request(method, server.actualPort(), "127.0.0.1", path)
        .compose(req -> req.send(body).compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b))))
        .onComplete(answered));
    return answered.future();
  }

  private Future<JsonObject> post(JsonObject review) {
    return send(HttpMethod.POST, InjectionWebhook.PATH, review.toBuffer()).map(a -> {
      assertEquals(200, a.status(), a.body().toString());
      return a.body().toJsonObject();
    });
  }

  /** Bookinfo's details-v1 pod as a ReplicaSet would create it (no name yet, a generateName). */
  private static JsonObject detailsPod(Map<String, String> annotations) {
    JsonObject metadata = new JsonObject().put("generateName", "details-v1-5974b67c8-").put("namespace", "default")
        .put("labels", new JsonObject().put("app", "details").put("version", "v1"));
    if (!annotations.isEmpty()) {
      metadata.put("annotations", new JsonObject(new LinkedHashMap<>(annotations)));
    }
    return new JsonObject().put("apiVersion", "v1").put("kind", "Pod").put("metadata", metadata)
        .put("spec", new JsonObject().put("serviceAccountName", "bookinfo-details").put("containers", new JsonArray()
            .add(new JsonObject().put("name", "details").put("image", "docker.io/istio/examples-bookinfo-details-v1:1.15.1")
                .put("ports", new JsonArray().add(new JsonObject().put("containerPort", 9080)))
                .put("readinessProbe", new JsonObject().put("httpGet", new JsonObject().put("path", "/health").put("port", 9080))))));
  }

  private static JsonObject review(String uid, JsonObject pod) {
    return new JsonObject().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview")
        .put("request", new JsonObject().put("uid", uid)
            .put("kind", new JsonObject().put("group", "").put("version", "v1").put("kind", "Pod"))
            .put("resource", new JsonObject().put("group", "").put("version", "v1").put("resource", "pods"))
            .put("namespace", "default").put("operation", "CREATE").put("object", pod));
  }

  @Test
  void injectsThePodWithAJsonPatchOverHttps(VertxTestContext ctx) {
    JsonObject pod = detailsPod(Map.of());
    post(review("7f1c", pod)).onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      assertEquals("admission.k8s.io/v1", answer.getString("apiVersion"));
      assertEquals("AdmissionReview", answer.getString("kind"));
      JsonObject response = answer.getJsonObject("response");
      assertEquals("7f1c", response.getString("uid"));
      assertTrue(response.getBoolean("allowed"));
      assertEquals("JSONPatch", response.getString("patchType"));
      JsonArray patch = new JsonArray(new String(Base64.getDecoder().decode(response.getString("patch")), StandardCharsets.UTF_8));

      Map<String, Object> patched = apply(plain(pod), patch);
      Map<String, Object> expected = plain(pod);
      injector.injectObject(expected, "expected:");
      assertEquals(new JsonObject(expected), new JsonObject(patched), "the patch gives exactly the injected pod");

      Pod typed = new KubernetesSerialization().unmarshal(new JsonObject(patched).encode(), Pod.class);
      List<String> names = typed.getSpec().getContainers().stream().map(Container::getName).toList();
      assertEquals(List.of("details", "istio-proxy"), names);
      assertEquals("istio-init", typed.getSpec().getInitContainers().get(0).getName());
      assertEquals("/app-health/details/readyz", typed.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath());
      assertTrue(typed.getMetadata().getAnnotations().containsKey("sidecar.istio.io/status"));
      assertTrue(patch.stream().map(JsonObject.class::cast).anyMatch(op -> op.getString("path").equals("/metadata/annotations")),
          "annotations were absent, so they are added whole: " + patch.encode());
      ctx.completeNow();
    })));
  }

  @Test
  void optedOutAndAlreadyInjectedPodsAreAllowedUnchanged(VertxTestContext ctx) {
    JsonObject optedOut = detailsPod(Map.of("sidecar.istio.io/inject", "false"));
    Map<String, Object> injectedPod = plain(detailsPod(Map.of()));
    assertTrue(injector.injectObject(injectedPod, "setup:"));
    JsonObject injected = new JsonObject(injectedPod);
    post(review("a", optedOut)).compose(first -> post(review("b", injected)).map(second -> List.of(first, second)))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          for (JsonObject answer : answers) {
            JsonObject response = answer.getJsonObject("response");
            assertTrue(response.getBoolean("allowed"));
            assertNull(response.getString("patch"), response.encode());
          }
          ctx.completeNow();
        })));
  }

  @Test
  void aPodThatCannotBeInjectedIsRefusedWithTheReason(VertxTestContext ctx) {
    JsonObject pod = detailsPod(Map.of("status.sidecar.istio.io/port", "not-a-port"));
    post(review("c", pod)).onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      JsonObject response = answer.getJsonObject("response");
      assertFalse(response.getBoolean("allowed"));
      String message = response.getJsonObject("status").getString("message");
      assertTrue(message.startsWith("sidecar injection failed: AdmissionReview c (Pod default/details-v1-5974b67c8-):"), message);
      assertTrue(message.contains("metadata.annotations[status.sidecar.istio.io/port]: 'not-a-port' is not a port number"), message);
      ctx.completeNow();
    })));
  }

  @Test
  void otherKindsPassWithoutPatch() {
    JsonObject review = review("d", new JsonObject().put("kind", "Service"));
    review.getJsonObject("request").put("kind", new JsonObject().put("group", "").put("version", "v1").put("kind", "Service"));
    JsonObject response = InjectionWebhook.create(injector).review(review).getJsonObject("response");
    assertTrue(response.getBoolean("allowed"));
    assertNull(response.getString("patch"));
  }

  @Test
  void badRequestsGetHttpErrors(VertxTestContext ctx) {
    Future<Integer> wrongPath = send(HttpMethod.POST, "/mutate", Buffer.buffer("{}")).map(Answer::status);
    Future<Integer> wrongMethod = send(HttpMethod.GET, InjectionWebhook.PATH, Buffer.buffer()).map(Answer::status);
    Future<String> garbage = send(HttpMethod.POST, InjectionWebhook.PATH, Buffer.buffer("{not json"))
        .map(a -> a.status() + " " + a.body());
    Future<String> noUid = send(HttpMethod.POST, InjectionWebhook.PATH, new JsonObject().put("apiVersion", "admission.k8s.io/v1")
        .put("request", new JsonObject()).toBuffer()).map(a -> a.status() + " " + a.body());
    Future.all(wrongPath, wrongMethod, garbage, noUid).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertEquals(404, wrongPath.result());
      assertEquals(405, wrongMethod.result());
      assertTrue(garbage.result().startsWith("400 not an AdmissionReview"), garbage.result());
      assertEquals("400 not an AdmissionReview: missing request.uid", noUid.result());
      ctx.completeNow();
    })));
  }

  /** Nested plain maps and lists, as a JSON parser gives them. */
  private static Map<String, Object> plain(JsonObject json) {
    return new JsonObject(json.encode()).getMap();
  }

  /** A JSON Patch (RFC 6902 add/replace/remove) applier written for the test, independent of the code under test. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> apply(Map<String, Object> doc, JsonArray patch) {
    for (Object o : patch) {
      JsonObject op = (JsonObject) o;
      List<String> tokens = new ArrayList<>();
      for (String t : op.getString("path").substring(1).split("/", -1)) {
        tokens.add(t.replace("~1", "/").replace("~0", "~"));
      }
      Object parent = doc;
      for (String t : tokens.subList(0, tokens.size() - 1)) {
        parent = parent instanceof Map<?, ?> m ? m.get(t) : ((List<Object>) parent).get(Integer.parseInt(t));
      }
      String last = tokens.get(tokens.size() - 1);
      Object value = op.getValue("value");
      value = value instanceof JsonObject j ? j.getMap() : value instanceof JsonArray a ? a.getList() : value;
      Map<String, Object> target = (Map<String, Object>) parent;
      switch (op.getString("op")) {
        case "add", "replace" -> target.put(last, value);
        case "remove" -> target.remove(last);
        default -> throw new AssertionError("unexpected op " + op);
      }
    }
    return doc;
  }
}
