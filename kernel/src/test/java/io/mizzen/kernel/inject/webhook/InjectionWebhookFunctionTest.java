package io.mizzen.kernel.inject.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.KernelHarness;
import io.mizzen.spi.ca.CertificateAuthority;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook as the control plane hosts it: a real kernel (with Citadel and the BouncyCastle CA
 * plugin) serves AdmissionReview v1 over HTTPS on 127.0.0.1 with a certificate the mesh CA signed.
 */
class InjectionWebhookFunctionTest {
  @TempDir Path home;

  private static JsonObject review(String uid) {
    JsonObject pod = new JsonObject().put("apiVersion", "v1").put("kind", "Pod")
        .put("metadata", new JsonObject().put("generateName", "reviews-v1-").put("namespace", "bookinfo")
            .put("labels", new JsonObject().put("app", "reviews").put("version", "v1")))
        .put("spec", new JsonObject().put("containers", new JsonArray().add(new JsonObject().put("name", "reviews")
            .put("image", "docker.io/istio/examples-bookinfo-reviews-v1:1.15.1")
            .put("ports", new JsonArray().add(new JsonObject().put("containerPort", 9080))))));
    return new JsonObject().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview")
        .put("request", new JsonObject().put("uid", uid)
            .put("kind", new JsonObject().put("group", "").put("version", "v1").put("kind", "Pod"))
            .put("namespace", "bookinfo").put("operation", "CREATE").put("object", pod));
  }

  /** POSTs a review to 127.0.0.1:port trusting only {@code caPem}, with host verification on. */
  private static JsonObject post(Vertx vertx, int port, String caPem, JsonObject review) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(caPem))));
    try {
      io.vertx.core.Promise<JsonObject> answered = io.vertx.core.Promise.promise();
      // Run on an event loop: a chain built on the test thread can ask for the body after Vert.x
      // 5.0.7 delivered its end, and the body then never completes (eclipse-vertx/vert.x#6038).
      vertx.runOnContext(v -> client.request(HttpMethod.POST, port, "127.0.0.1", InjectionWebhook.PATH)
          .compose(req -> req.send(review.toBuffer())
              .compose(resp -> resp.body().map(body -> {
                assertEquals(200, resp.statusCode(), body.toString());
                return body.toJsonObject();
              })))
          .onComplete(answered));
      return answered.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  private static List<String> patchedContainers(JsonObject answer) {
    JsonObject response = answer.getJsonObject("response");
    assertTrue(response.getBoolean("allowed"), response.encode());
    assertEquals("JSONPatch", response.getString("patchType"));
    JsonArray patch = new JsonArray(new String(Base64.getDecoder().decode(response.getString("patch")), StandardCharsets.UTF_8));
    return patch.stream().map(JsonObject.class::cast)
        .filter(op -> op.getString("path").startsWith("/spec/containers") || op.getString("path").startsWith("/spec/initContainers"))
        .map(op -> op.encode()).toList();
  }

  @Test
  void theControlPlaneServesTheWebhookOverHttpsWithACertificateFromTheMeshCa() throws Exception {
    try (KernelHarness k = KernelHarness.start(home, Map.of("webhook", Map.of("enabled", true)))) {
      InjectionWebhookFunction.WebhookEndpoint endpoint = k.kernel().lookup(InjectionWebhookFunction.WebhookEndpoint.class);
      assertNotNull(endpoint, "the webhook publishes its endpoint");
      assertTrue(endpoint.port() > 0);
      CertificateAuthority ca = k.kernel().lookup(CertificateAuthority.class);
      assertEquals(String.join("", ca.rootsPem()), endpoint.caBundlePem(), "the caBundle is the mesh CA's roots");

      Vertx vertx = Vertx.vertx();
      try {
        // Trusting only the CA's roots proves the serving certificate chains to the mesh CA.
        JsonObject answer = post(vertx, endpoint.port(), endpoint.caBundlePem(), review("a1"));
        assertEquals("a1", answer.getJsonObject("response").getString("uid"));
        List<String> ops = patchedContainers(answer);
        assertTrue(ops.stream().anyMatch(op -> op.contains("istio-proxy") || op.contains("mizzen-proxy")), ops.toString());
        assertTrue(ops.stream().anyMatch(op -> op.contains("initContainers")), ops.toString());
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertEquals(200, k.admin("/healthz/ready").statusCode());
    }
  }

  @Test
  void withoutACaTheCertificateIsSelfSignedForTheServiceNameAndVerifiesAsItsOwnBundle() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpServer server = null;
    try {
      WebhookSettings settings = WebhookSettings.from(Map.of(), Map.of());
      WebhookCertificate cert = WebhookCertificate.selfSigned(vertx, settings.hosts(), Duration.ofHours(1))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals("self-signed", cert.issuer());
      X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(cert.certificateChainPem().getBytes(StandardCharsets.US_ASCII)));
      assertTrue(x509.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("mizzen-control-plane.mizzen-system.svc")),
          String.valueOf(x509.getSubjectAlternativeNames()));
      server = InjectionWebhook.serve(vertx, InjectionWebhook.create(io.mizzen.kernel.inject.SidecarInjector.create(
              io.mizzen.kernel.inject.InjectionTemplate.defaults(), io.mizzen.kernel.inject.MeshDefaults.defaults())),
          new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true).setKeyCertOptions(cert.keyCertOptions()))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      JsonObject answer = post(vertx, server.actualPort(), cert.caBundlePem(), review("b2"));
      assertTrue(!patchedContainers(answer).isEmpty());
    } finally {
      if (server != null) {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WebhookSettings.from(Map.of("certificateTtl", "soon"), Map.of()));
    assertTrue(e.getMessage().contains("plugins.settings.webhook.certificateTtl"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> WebhookSettings.from(Map.of("port", 1), Map.of()));
    assertTrue(e.getMessage().contains("plugins.settings.webhook.port"), e.getMessage());
    assertEquals(Path.of("/etc/mizzen/inject/template"),
        WebhookSettings.from(Map.of(), Map.of("MIZZEN_INJECTION_TEMPLATE", "/etc/mizzen/inject/template")).template());
  }
}
