package io.mizzen.kernel.citadel.grpc;

import io.mizzen.kernel.citadel.CsrService;
import io.mizzen.kernel.citadel.TokenStore;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IdentityVerifier;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;
import org.slf4j.LoggerFactory;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Citadel on the control plane: starts the configured CA plugin (its state in
 * {@code <state>/ca}), reads bootstrap tokens from {@code <state>/}{@value TokenStore#FILE_NAME}
 * (where {@code mizzen token create --state-dir <state>} writes them), publishes the
 * {@link CsrService} for in-process callers, and serves it over gRPC/TLS on 15012.
 */
@Extension
public class CitadelFunction implements MeshFunction {
  private volatile CitadelServer server;
  private volatile boolean disabled;

  @Override
  public String name() {
    return "citadel";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    // Before the functions that hand out certificates or need the mesh's roots.
    return 20;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    CitadelSettings settings;
    try {
      settings = CitadelSettings.from(context.settings(name()), context.rootNamespace());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    List<CertificateAuthority> cas = context.extensions(CertificateAuthority.class);
    CertificateAuthority ca = cas.stream().filter(c -> c.name().equals(settings.ca())).findFirst().orElse(null);
    if (ca == null && context.settings(name()).containsKey("ca")) {
      return Future.failedFuture(new IllegalStateException("citadel.ca: no CertificateAuthority named '" + settings.ca()
          + "' is loaded (loaded: " + cas.stream().map(CertificateAuthority::name).toList() + ")"));
    }
    if (ca == null) {
      // A control plane without its CA plugin still serves config and Mixer; the mesh then runs
      // without workload identities, and every sidecar says so. Loud, not fatal.
      disabled = true;
      LoggerFactory.getLogger(CitadelFunction.class).warn("Citadel is OFF: citadel.ca: no "
          + "CertificateAuthority named '{}' is loaded (loaded: {}); put the ca-bouncycastle plugin "
          + "jar in the plugins folder to issue workload certificates", settings.ca(),
          cas.stream().map(CertificateAuthority::name).toList());
      return Future.succeededFuture();
    }
    TokenStore tokens = TokenStore.inFolder(context.stateDir(), Clock.systemUTC());
    // Kubernetes TokenReview and the like come as IdentityVerifier extensions of other plugins.
    List<IdentityVerifier> verifiers = context.extensions(IdentityVerifier.class);
    CsrService service = CsrService.create(context.vertx(), tokens, verifiers, ca, context.trustDomain(), Clock.systemUTC(),
        settings.replayWindow());
    CitadelServer.Options options = new CitadelServer.Options(settings.host(), settings.port(),
        SpiffeId.of(context.trustDomain(), context.rootNamespace(), "istiod"), settings.hosts(), settings.servingTtl());
    return ca.start(new CaContext(context))
        .compose(v -> CitadelServer.start(context.vertx(), service, ca, options))
        .map(started -> {
          server = started;
          context.publish(CsrService.class, service);
          context.publish(CertificateAuthority.class, ca);
          return null;
        });
  }

  /** The port the CSR service is bound to, or -1 before start. */
  public int port() {
    CitadelServer s = server;
    return s == null ? -1 : s.port();
  }

  @Override
  public Future<Void> stop() {
    CitadelServer s = server;
    server = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  @Override
  public boolean ready() {
    return disabled || server != null;
  }
}
