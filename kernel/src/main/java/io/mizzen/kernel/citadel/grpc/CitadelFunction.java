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
import java.util.Set;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Citadel on the control plane: starts the configured CA plugin (its state in
 * {@code <state>/ca}), reads bootstrap tokens from {@code <state>/}{@value TokenStore#FILE_NAME}
 * (where {@code mizzen token create --state-dir <state>} writes them), publishes the
 * {@link CsrService} for in-process callers, and serves it over gRPC/TLS on the kernel's TLS gRPC
 * port (15012) and bind address. Without any CA plugin loaded it stays off, with a warning.
 */
@Extension
public class CitadelFunction implements MeshFunction {
  private static final Logger LOG = LoggerFactory.getLogger(CitadelFunction.class);
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
      settings = CitadelSettings.from(context.settings(name()), context.rootNamespace(), context.bindAddress(),
          context.ports().grpcTls());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    List<CertificateAuthority> cas = context.extensions(CertificateAuthority.class);
    CertificateAuthority ca = cas.stream().filter(c -> c.name().equals(settings.ca())).findFirst().orElse(null);
    if (ca == null && cas.isEmpty() && !context.settings(name()).containsKey("ca")) {
      // A build without any CA plugin (a bare kernel, its tests) still boots; only asking for one fails.
      LOG.warn("citadel is off: no CertificateAuthority plugin is loaded, so no workload gets a certificate "
          + "(install the ca-bouncycastle plugin)");
      disabled = true;
      return Future.succeededFuture();
    }
    if (ca == null) {
      return Future.failedFuture(new IllegalStateException("citadel.ca: no CertificateAuthority named '" + settings.ca()
          + "' is loaded (loaded: " + cas.stream().map(CertificateAuthority::name).toList() + ")"));
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
