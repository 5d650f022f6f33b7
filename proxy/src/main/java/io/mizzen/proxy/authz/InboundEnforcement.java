package io.mizzen.proxy.authz;

import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.security.PeerAuthentication;
import io.mizzen.spi.config.security.PeerAuthenticationModes;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;

/** {@link InboundSecurity}: the compiled state of the last snapshot, swapped in whole. */
final class InboundEnforcement implements InboundSecurity {

  /**
   * One snapshot's enforcement for the workload.
   *
   * @param mtls the inbound mode and what set it
   * @param authn the JWT rules, or {@code null} when none selects the workload
   * @param authz the AuthorizationPolicy engine, or {@code null} when no policy selects the workload
   * @param rbac the rbac.istio.io engine, or {@code null} when RBAC is off for it (or an
   *     AuthorizationPolicy selects it: Istio 1.4 lets v1beta1 take precedence over v1alpha1)
   */
  record Compiled(PeerAuthenticationModes.Effective mtls, RequestAuthenticator authn, AuthorizationEngine authz,
      RbacEngine rbac) {
    static final Compiled OPEN = new Compiled(
        new PeerAuthenticationModes.Effective(PeerAuthentication.Mode.PERMISSIVE, "default"), null, null, null);

    boolean enforces() {
      return authn != null || authz != null || rbac != null;
    }
  }

  private final Vertx vertx;
  private final WorkloadInfo workload;
  private final String rootNamespace;
  private final String clusterDomain;
  private final Clock clock;
  private final AuthorizationFilter filter;
  private volatile Compiled current = Compiled.OPEN;

  InboundEnforcement(Vertx vertx, WorkloadInfo workload, String rootNamespace, String clusterDomain, Clock clock) {
    this.vertx = vertx;
    this.workload = workload;
    this.rootNamespace = rootNamespace;
    this.clusterDomain = clusterDomain;
    this.clock = clock;
    this.filter = new AuthorizationFilter(workload, () -> current);
  }

  @Override
  public Future<Runnable> prepare(ProxySnapshot snapshot) {
    List<Resource> resources = snapshot.resources();
    PeerAuthenticationModes modes;
    AuthorizationEngine authz;
    RbacEngine rbac;
    try {
      modes = PeerAuthenticationModes.of(resources, rootNamespace);
      authz = AuthorizationEngine.of(resources, rootNamespace);
      rbac = RbacEngine.of(resources, clusterDomain);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    PeerAuthenticationModes.Effective mtls = modes.explain(workload, workload.appPort());
    boolean policies = !authz.policiesFor(workload).isEmpty();
    AuthorizationEngine usedAuthz = policies ? authz : null;
    RbacEngine usedRbac = !policies && rbac.appliesTo(workload) ? rbac : null;
    return RequestAuthenticator.load(vertx, resources, rootNamespace, clock).map(authn -> {
      Compiled next = new Compiled(mtls, authn.appliesTo(workload) ? authn : null, usedAuthz, usedRbac);
      return () -> current = next;
    });
  }

  @Override
  public PeerAuthentication.Mode mode() {
    return current.mtls().mode();
  }

  @Override
  public PeerAuthenticationModes.Effective explainMode() {
    return current.mtls();
  }

  @Override
  public ProxyFilter filter() {
    return filter;
  }
}
