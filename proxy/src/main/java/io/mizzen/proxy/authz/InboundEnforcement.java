package io.mizzen.proxy.authz;

import io.mizzen.proxy.filter.ProxyFilter;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.security.PeerAuthentication;
import io.mizzen.spi.config.security.PeerAuthenticationModes;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
  /** The jwksUri keys, kept from one snapshot to the next. */
  private final JwksCache jwks;
  private volatile Compiled current = Compiled.OPEN;
  /** The resources of the snapshot in force, for {@link #refreshKeys}. */
  private volatile List<Resource> inForce = List.of();
  /** The timer refreshing jwksUri keys between snapshots, -1 until a rule needs one. */
  private long keyRefresh = -1;

  InboundEnforcement(Vertx vertx, WorkloadInfo workload, String rootNamespace, String clusterDomain, Clock clock) {
    this(vertx, workload, rootNamespace, clusterDomain, clock, new JwksCache(clock));
  }

  InboundEnforcement(Vertx vertx, WorkloadInfo workload, String rootNamespace, String clusterDomain, Clock clock,
      JwksCache jwks) {
    this.vertx = vertx;
    this.workload = workload;
    this.rootNamespace = rootNamespace;
    this.clusterDomain = clusterDomain;
    this.clock = clock;
    this.filter = new AuthorizationFilter(workload, () -> current);
    this.jwks = jwks;
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
    PeerAuthenticationModes.Effective mtls = modes.explain(workload, workload.appPort(), servicePorts(snapshot, workload));
    boolean policies = !authz.policiesFor(workload).isEmpty();
    AuthorizationEngine usedAuthz = policies ? authz : null;
    // The 1.4 rbac.istio.io kinds name services, and a gateway is none: only AuthorizationPolicy
    // selects it (by its labels, its namespace or mesh-wide), as in Istio.
    RbacEngine usedRbac = !policies && !workload.gateway() && rbac.appliesTo(workload) ? rbac : null;
    return RequestAuthenticator.load(vertx, resources, rootNamespace, clock, jwks, workload).map(authn -> {
      Compiled next = new Compiled(mtls, authn.appliesTo(workload) ? authn : null, usedAuthz, usedRbac);
      return () -> commit(next, resources);
    });
  }

  private synchronized void commit(Compiled next, List<Resource> resources) {
    current = next;
    inForce = resources;
    if (next.authn() != null && keyRefresh < 0) {
      // An identity provider rotates its keys on its own schedule: a token signed with a new key
      // must verify without waiting for the next config change.
      keyRefresh = vertx.setPeriodic(JwksCache.REFRESH.toMillis(), t -> refreshKeys());
    }
  }

  /** What is in force now. */
  Compiled compiled() {
    return current;
  }

  /**
   * Fetches the jwksUri keys of the rules in force again where they are due
   * ({@link JwksCache#REFRESH}, as Istio's control plane refreshes them) and puts the rules with
   * the new keys in force; a snapshot that came in meanwhile wins, and a failed fetch keeps the
   * keys held. Runs every {@link JwksCache#REFRESH} once a rule selects the workload.
   *
   * @return completes once done; never fails
   */
  Future<Void> refreshKeys() {
    Compiled before = current;
    List<Resource> resources = inForce;
    if (before.authn() == null) {
      return Future.succeededFuture();
    }
    return RequestAuthenticator.load(vertx, resources, rootNamespace, clock, jwks, workload).<Void>map(authn -> {
      synchronized (this) {
        if (current == before) {
          current = new Compiled(before.mtls(), authn.appliesTo(workload) ? authn : null, before.authz(), before.rbac());
        }
      }
      return null;
    }).otherwiseEmpty();
  }

  /**
   * The ports of the workload's service (by name and namespace) that lead to its app port, as
   * discovery knows them: what a 1.4 Policy target's {@code ports} select, by number or name. As
   * the inbound's protocol is picked: the ports whose target is the app port, else the service's
   * only port (off Kubernetes a service port targets the inbound listener, not the app). When
   * discovery has neither, the app port itself as an unnamed service port of the same number
   * (none for a gateway, which has no app port).
   */
  static List<ServicePort> servicePorts(ProxySnapshot snapshot, WorkloadInfo workload) {
    Set<ServicePort> targeting = new LinkedHashSet<>();
    Set<Integer> all = new LinkedHashSet<>();
    ServicePort only = null;
    for (ServiceInstance i : snapshot.instances()) {
      if (i.service().equals(workload.service()) && i.namespace().equals(workload.namespace())) {
        for (ServicePort p : i.ports()) {
          if (p.targetPort() == workload.appPort()) {
            targeting.add(p);
          }
          if (all.add(p.port())) {
            only = p;
          }
        }
      }
    }
    if (!targeting.isEmpty()) {
      return List.copyOf(targeting);
    }
    if (all.size() == 1) {
      return List.of(only);
    }
    int app = workload.appPort();
    return app >= 1 && app <= 65535 ? List.of(new ServicePort("", app, app, "")) : List.of();
  }

  @Override
  public Decision authorizeConnection(RequestView connection) {
    Compiled now = current;
    if (now.authz() != null) {
      return now.authz().decideConnection(workload, connection);
    }
    if (now.rbac() != null) {
      return Decision.deny("", "rbac.istio.io rules apply to " + workload.namespace() + "/" + workload.service()
          + ", and a TCP connection is not checked against them");
    }
    return Decision.allow("", "no authorization applies");
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
