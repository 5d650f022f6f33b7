package io.mizzen.plugins.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mizzen.plugins.ca.bouncycastle.BouncyCastleAuthority;
import io.mizzen.spi.ca.CertificateAuthority;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane fills in ops/kubernetes/webhook.yaml's caBundle with the mesh CA's roots. */
class WebhookCaBundleTest {
  @TempDir Path state;

  private Vertx vertx;
  private ApiServer api;
  private KubernetesClient kube;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    api = new ApiServer();
    kube = api.client();
  }

  @AfterEach
  void stop() throws Exception {
    kube.close();
    api.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private List<MutatingWebhook> webhooks() {
    return kube.admissionRegistration().v1().mutatingWebhookConfigurations().withName("mizzen-sidecar-injector").get().getWebhooks();
  }

  @Test
  void theShippedWebhookConfigurationGetsTheMeshCaRoots() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("..", "..", "ops", "kubernetes", "webhook.yaml"))) {
      MutatingWebhookConfiguration shipped = kube.admissionRegistration().v1().mutatingWebhookConfigurations().load(in).item();
      kube.resource(shipped).create();
    }
    assertNull(webhooks().get(0).getClientConfig().getCaBundle(), "the manifest leaves caBundle out");
    CertificateAuthority ca = new BouncyCastleAuthority();
    StandaloneMeshContext context = new StandaloneMeshContext(vertx, api.settings(), state, ca);
    ca.start(context).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    WebhookCaBundle function = new WebhookCaBundle();
    function.start(context).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(function.ready());

    List<MutatingWebhook> hooks = webhooks();
    assertEquals(2, hooks.size());
    for (MutatingWebhook h : hooks) {
      String pem = new String(Base64.getDecoder().decode(h.getClientConfig().getCaBundle()), StandardCharsets.UTF_8);
      assertEquals(String.join("", ca.rootsPem()), pem, h.getName());
    }
  }

  @Test
  void aMissingConfigurationIsLoggedAndDoesNotStopTheControlPlane() throws Exception {
    CertificateAuthority ca = new BouncyCastleAuthority();
    StandaloneMeshContext context = new StandaloneMeshContext(vertx, api.settings(), state, ca);
    ca.start(context).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    WebhookCaBundle function = new WebhookCaBundle();
    function.start(context).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(function.ready());
    assertFalse(kube.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems().stream()
        .anyMatch(m -> m.getMetadata().getName().equals("mizzen-sidecar-injector")));
  }

  @Test
  void badSettingsFailTheStartNamingTheKey() {
    WebhookCaBundle function = new WebhookCaBundle();
    Throwable e = function.start(new StandaloneMeshContext(vertx, Map.of("webhookConfig", "x"))).cause();
    assertTrue(e.getMessage().contains("plugins.settings.kubernetes.webhookConfig"), e.getMessage());
  }
}
