package io.mizzen.kernel.agent;

import io.mizzen.kernel.settings.AgentSettings;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.ca.WorkloadCertificates;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.proxy.ControlPlaneAddress;
import io.mizzen.spi.proxy.ProxyListeners;
import io.mizzen.spi.proxy.SnapshotFeed;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.mizzen.spi.wire.pilot.Node;
import io.mizzen.spi.wire.pilot.PilotGrpcClient;
import io.mizzen.spi.wire.pilot.Registration;
import io.mizzen.spi.wire.pilot.WorkloadPort;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.pf4j.Extension;

/**
 * The data-plane agent (order 20, before the proxy at 50): publishes {@link WorkloadInfo} and an
 * {@link SnapshotFeed} the proxy subscribes to, keeps the push stream to Pilot open (reporting
 * the workload certificate the identity hands its {@link CertificateReporter}), and, when it
 * stands beside a workload (a service is set), registers it under a lease it renews. Its settings
 * are {@link MeshSettings#agent()}; the role command lays the environment and flags over them.
 */
@Extension
public final class AgentFunction implements MeshFunction {
  /** How long a registration lasts unless renewed. */
  static final Duration LEASE = Duration.ofSeconds(10);
  private static final System.Logger LOG = System.getLogger(AgentFunction.class.getName());
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(3));

  private GrpcClient grpc;
  private PilotSubscription subscription;
  private WorkloadRegistrar registrar;
  private AgentFeed feed;

  @Override
  public String name() {
    return "agent";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.SIDECAR, Role.INGRESS, Role.EGRESS);
  }

  @Override
  public int order() {
    return 20;
  }

  /**
   * Completes at once, with the feed published: the first snapshot arrives when the control plane
   * answers (see {@link #ready()}); fails only when the control-plane address is malformed.
   */
  @Override
  public Future<Void> start(MeshContext context) {
    MeshSettings settings = context.lookup(MeshSettings.class);
    AgentSettings agent = settings == null ? AgentSettings.defaults() : settings.agent();
    SocketAddress controlPlane;
    try {
      int colon = agent.controlPlane().lastIndexOf(':');
      controlPlane = SocketAddress.inetSocketAddress(Integer.parseInt(agent.controlPlane().substring(colon + 1)),
          agent.controlPlane().substring(0, colon));
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalArgumentException(
          "controlPlane: '" + agent.controlPlane() + "' is not host:port"));
    }
    Context ctx = context.vertx().getOrCreateContext();
    String id = nodeId(agent, context.role());
    context.publish(WorkloadInfo.class, new WorkloadInfo(agent.service(), agent.namespace(), agent.labels(),
        agent.serviceAccount(), agent.address(), agent.appPort()));
    feed = new AgentFeed(ctx);
    context.publish(SnapshotFeed.class, feed);
    context.publish(ControlPlaneAddress.class, new ControlPlaneAddress(controlPlane.host(), controlPlane.port()));
    grpc = GrpcClient.client(context.vertx(), new GrpcClientOptions().setMaxMessageSize(256L * 1024 * 1024),
        pushStreamOptions());
    Node node = Node.newBuilder().setId(id).setService(agent.service()).setNamespace(agent.namespace())
        .putAllLabels(agent.labels()).setAddress(agent.address()).setRole(context.role().cliName()).build();
    subscription = new PilotSubscription(ctx, grpc, controlPlane, node, feed, BACKOFF);
    subscription.start();
    context.publish(CertificateReporter.class, this::follow);
    if (!agent.service().isEmpty()) {
      registerOnceTheProxyListens(context, ctx, controlPlane, id, agent);
    }
    return Future.succeededFuture();
  }

  /**
   * Registers the workload at once with the configured inbound port (or the app itself), then,
   * once its proxy has bound its inbound listener (the proxy function starts after this one and
   * publishes the port it got), registers that port instead, so peers reach the app through the
   * sidecar even when the inbound port was picked at random. A kernel without a proxy keeps the
   * first registration; the proxy is looked for during 10 s.
   */
  private void registerOnceTheProxyListens(MeshContext context, Context ctx, SocketAddress controlPlane,
      String id, AgentSettings agent) {
    registrar = new WorkloadRegistrar(ctx, PilotGrpcClient.create(grpc, controlPlane),
        registration(id, agent, context.ports().inbound()));
    registrar.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    ctx.runOnContext(v -> context.vertx().setPeriodic(1, 50, timer -> {
      ProxyListeners listeners = context.lookup(ProxyListeners.class);
      if (listeners == null && System.nanoTime() < deadline) {
        return;
      }
      context.vertx().cancelTimer(timer);
      if (listeners != null && listeners.inbound() > 0 && listeners.inbound() != context.ports().inbound()) {
        registrar.update(registration(id, agent, listeners.inbound()));
      }
    }));
  }

  /** Reports each certificate {@code certificates} holds to Pilot: the current one, then every renewal. */
  private void follow(WorkloadCertificates certificates) {
    PilotSubscription s = subscription;
    Consumer<WorkloadCredentials> report = credentials -> {
      try {
        s.report(CertificateInfos.of(credentials));
      } catch (IllegalArgumentException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot report certificate {0} to Pilot: {1}", credentials.serial(),
            e.getMessage());
      }
    };
    certificates.onRenewal(report);
    WorkloadCredentials now = certificates.current();
    if (now != null) {
      report.accept(now);
    }
  }

  /**
   * The HTTP/2 settings of the push stream to Pilot. A full snapshot is megabytes: HTTP/2's 64 KB
   * default windows would meter it out in round trips, and its 16 KB default frames would make the
   * control plane write each proxy's copy as hundreds of frames; 1 MB frames make it a few.
   */
  public static HttpClientOptions pushStreamOptions() {
    return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
        .setHttp2ConnectionWindowSize(64 * 1024 * 1024)
        .setInitialSettings(new io.vertx.core.http.Http2Settings().setInitialWindowSize(16 * 1024 * 1024)
            .setMaxFrameSize(1024 * 1024));
  }

  /** Unique per proxy: a workload's service, address and app port, or a gateway's role and address. */
  static String nodeId(AgentSettings agent, Role role) {
    String who = agent.service().isEmpty() ? role.cliName() : agent.service();
    return who + "~" + agent.address() + "~" + agent.appPort() + "." + agent.namespace();
  }

  private static Registration registration(String id, AgentSettings agent, int inboundPort) {
    List<WorkloadPort> ports = new ArrayList<>();
    if (agent.appPort() > 0) {
      // Other proxies reach the app through this sidecar's inbound listener when it has a fixed port.
      ports.add(WorkloadPort.newBuilder().setName("http").setPort(agent.servicePort())
          .setTargetPort(inboundPort > 0 ? inboundPort : agent.appPort()).build());
    }
    return Registration.newBuilder().setId(id).setService(agent.service()).setNamespace(agent.namespace())
        .putAllLabels(agent.labels()).setAddress(agent.address()).addAllPorts(ports)
        .setServiceAccount(agent.serviceAccount()).setTtlMillis(LEASE.toMillis()).build();
  }

  /** Ready once a first snapshot is in force. */
  @Override
  public boolean ready() {
    return feed != null && feed.current() != null;
  }

  /** Deregisters (waiting at most 2 s), closes the stream and the client. */
  @Override
  public Future<Void> stop() {
    Future<Void> deregistered = registrar == null ? Future.succeededFuture() : registrar.stop(Duration.ofSeconds(2));
    return deregistered
        .compose(v -> subscription == null ? Future.succeededFuture() : subscription.stop())
        .compose(v -> grpc == null ? Future.succeededFuture() : grpc.close());
  }
}
