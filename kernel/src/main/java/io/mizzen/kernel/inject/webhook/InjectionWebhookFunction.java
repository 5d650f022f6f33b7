package io.mizzen.kernel.inject.webhook;

import io.mizzen.kernel.inject.InjectionTemplate;
import io.mizzen.kernel.inject.MeshDefaults;
import io.mizzen.kernel.inject.SidecarInjector;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts the {@link InjectionWebhook} on the control plane: HTTPS on {@code ports().webhook()}
 * (15017), with a serving certificate from the mesh CA that Citadel published, or self-signed
 * when none runs (the log says which, and prints the {@code caBundle} to use). The certificate is
 * renewed at two thirds of its life and swapped into the live server.
 *
 * <p>Which pods arrive is the API server's choice: the MutatingWebhookConfiguration's
 * {@code namespaceSelector} (ops/kubernetes/webhook.yaml) sends only pods of namespaces labelled
 * {@code istio-injection=enabled} or {@code mizzen-injection=enabled}, because an AdmissionReview
 * does not carry the namespace's labels. The webhook injects every pod it is sent unless the pod
 * opts out with {@code sidecar.istio.io/inject: "false"}.
 */
@Extension
public final class InjectionWebhookFunction implements MeshFunction {
  private volatile boolean disabled;
  private static final Logger LOG = LoggerFactory.getLogger(InjectionWebhookFunction.class);

  private volatile HttpServer server;
  private volatile WebhookCertificate certificate;
  private volatile long renewalTimer = -1;
  private Vertx vertx;

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    // After Citadel (20), whose started CA signs the serving certificate.
    return 40;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    Object enabled = context.settings(name()).get("enabled");
    boolean inCluster = System.getenv("KUBERNETES_SERVICE_HOST") != null;
    if (enabled == null ? !inCluster : !Boolean.parseBoolean(String.valueOf(enabled))) {
      // Off a cluster no API server calls the webhook; issuing its certificate would only cost
      // start-up time (most of a second for a self-signed one).
      disabled = true;
      LoggerFactory.getLogger(InjectionWebhookFunction.class).info("injection webhook off: not in a "
          + "Kubernetes cluster (plugins.settings.webhook.enabled: true turns it on)");
      return Future.succeededFuture();
    }
    WebhookSettings settings;
    try {
      settings = WebhookSettings.from(context.settings(name()), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    vertx = context.vertx();
    CertificateAuthority ca = context.lookup(CertificateAuthority.class);
    SpiffeId identity = SpiffeId.of(context.trustDomain(), context.rootNamespace(), "mizzen-webhook");
    return context.executeBlocking(() -> injector(settings))
        .compose(injector -> issue(ca, identity, settings).compose(cert -> {
          certificate = cert;
          HttpServerOptions options = new HttpServerOptions()
              .setHost(context.bindAddress())
              .setPort(context.ports().webhook())
              .setSsl(true)
              .setKeyCertOptions(cert.keyCertOptions());
          return InjectionWebhook.serve(vertx, InjectionWebhook.create(injector), options);
        }))
        .map(bound -> {
          server = bound;
          WebhookCertificate cert = certificate;
          LOG.info("injection webhook on https://{}:{}{} for {}, certificate {} until {}", context.bindAddress(),
              bound.actualPort(), InjectionWebhook.PATH, settings.service(), cert.issuer(), cert.notAfter());
          if (ca == null) {
            LOG.warn("no mesh CA is running: the webhook's certificate is self-signed; put this PEM (base64) in the "
                + "MutatingWebhookConfiguration's caBundle:\n{}", cert.caBundlePem());
          }
          context.publish(WebhookEndpoint.class, new WebhookEndpoint(context.bindAddress(), bound.actualPort(), cert.caBundlePem()));
          scheduleRenewal(ca, identity, settings);
          return null;
        });
  }

  /**
   * Where the webhook listens and what its clients must trust, published for the rest of the
   * control plane (and whatever patches the MutatingWebhookConfiguration's {@code caBundle}).
   *
   * @param host the bound address
   * @param port the bound port (the actual one when the settings said 0)
   * @param caBundlePem the PEM that verifies the serving certificate
   */
  public record WebhookEndpoint(String host, int port, String caBundlePem) {}

  private static SidecarInjector injector(WebhookSettings settings) {
    InjectionTemplate template;
    if (settings.template() == null) {
      template = InjectionTemplate.defaults();
    } else if (!Files.exists(settings.template())) {
      // The ConfigMap holding a site template is optional: its mount is then empty.
      LOG.info("no injection template at {}: using the template in the jar", settings.template());
      template = InjectionTemplate.defaults();
    } else {
      template = InjectionTemplate.load(settings.template());
    }
    MeshDefaults mesh = settings.meshConfig() == null || !Files.exists(settings.meshConfig())
        ? MeshDefaults.defaults() : MeshDefaults.load(settings.meshConfig());
    return SidecarInjector.create(template, mesh);
  }

  private Future<WebhookCertificate> issue(CertificateAuthority ca, SpiffeId identity, WebhookSettings settings) {
    return ca == null
        ? WebhookCertificate.selfSigned(vertx, settings.hosts(), settings.certificateTtl())
        : WebhookCertificate.fromCa(vertx, ca, identity, settings.hosts(), settings.certificateTtl());
  }

  private void scheduleRenewal(CertificateAuthority ca, SpiffeId identity, WebhookSettings settings) {
    WebhookCertificate current = certificate;
    Duration left = Duration.between(Instant.now(), current.notAfter());
    long delay = Math.max(10_000, left.toMillis() * 2 / 3);
    renewalTimer = vertx.setTimer(delay, id -> issue(ca, identity, settings)
        .compose(next -> server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(next.keyCertOptions()))
            .map(swapped -> next))
        .onComplete(ar -> {
          if (server == null) {
            return;
          }
          if (ar.succeeded()) {
            certificate = ar.result();
            LOG.info("webhook certificate renewed ({}) until {}", ar.result().issuer(), ar.result().notAfter());
          } else {
            LOG.error("could not renew the webhook certificate (the current one expires {}): {}",
                current.notAfter(), ar.cause().toString());
          }
          scheduleRenewal(ca, identity, settings);
        }));
  }

  /** The bound port, or -1 before start. */
  public int port() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  /** The PEM the MutatingWebhookConfiguration's {@code caBundle} must hold, or {@code null} before start. */
  public String caBundlePem() {
    WebhookCertificate c = certificate;
    return c == null ? null : c.caBundlePem();
  }

  @Override
  public boolean ready() {
    return disabled || server != null;
  }

  @Override
  public Future<Void> stop() {
    HttpServer s = server;
    server = null;
    if (renewalTimer >= 0) {
      vertx.cancelTimer(renewalTimer);
    }
    return s == null ? Future.succeededFuture() : s.close();
  }
}
