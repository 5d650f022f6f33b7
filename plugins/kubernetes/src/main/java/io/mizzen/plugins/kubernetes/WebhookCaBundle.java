package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.CertificateAuthority;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills in the {@code caBundle} of the sidecar injector's MutatingWebhookConfiguration
 * (ops/kubernetes/webhook.yaml leaves it out) with the roots of the mesh CA Citadel started, which
 * signs the webhook's serving certificate, so the API server trusts the webhook. Runs after the
 * webhook (order 45). Without a mesh CA the webhook is self-signed and its log prints the bundle;
 * a missing configuration or a refused patch is logged and does not stop the control plane.
 */
@Extension
public final class WebhookCaBundle implements MeshFunction {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookCaBundle.class);

  private volatile boolean done;

  @Override
  public String name() {
    return "webhook-cabundle";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    return 45;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    KubeSettings settings;
    try {
      settings = KubeSettings.from(context.settings(ServiceInstances.SOURCE), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    done = true;
    CertificateAuthority ca = context.lookup(CertificateAuthority.class);
    if (!settings.enabled()) {
      return Future.succeededFuture();
    }
    if (ca == null || ca.rootsPem().isEmpty()) {
      LOG.warn("no mesh CA runs: {}'s caBundle is left alone (the webhook's own log prints the PEM to put there)",
          settings.webhookConfiguration());
      return Future.succeededFuture();
    }
    String bundle = Base64.getEncoder().encodeToString(String.join("", ca.rootsPem()).getBytes(StandardCharsets.UTF_8));
    return context.executeBlocking(() -> patch(settings, bundle))
        .onSuccess(n -> LOG.info("caBundle of MutatingWebhookConfiguration {} set to the mesh CA's roots ({} webhooks)",
            settings.webhookConfiguration(), n))
        .onFailure(e -> LOG.error("could not set the caBundle of MutatingWebhookConfiguration {}: {}; the API server will "
            + "not trust the injection webhook until it is set", settings.webhookConfiguration(), e.toString()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** Blocking: sets every webhook's caBundle; returns how many webhooks it holds. */
  static int patch(KubeSettings settings, String bundle) {
    try (KubernetesClient client = KubeClients.create(settings)) {
      var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(settings.webhookConfiguration());
      MutatingWebhookConfiguration current = resource.get();
      if (current == null) {
        throw new IllegalStateException("it does not exist (apply ops/kubernetes/webhook.yaml)");
      }
      List<MutatingWebhook> hooks = current.getWebhooks() == null ? List.of() : current.getWebhooks();
      if (hooks.stream().allMatch(h -> bundle.equals(h.getClientConfig().getCaBundle()))) {
        return hooks.size();
      }
      resource.edit(m -> {
        m.getWebhooks().forEach(h -> h.getClientConfig().setCaBundle(bundle));
        return m;
      });
      return hooks.size();
    }
  }

  @Override
  public Future<Void> stop() {
    return Future.succeededFuture();
  }

  @Override
  public boolean ready() {
    return done;
  }
}
