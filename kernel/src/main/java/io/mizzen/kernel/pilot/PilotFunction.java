package io.mizzen.kernel.pilot;

import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.discovery.MeshDiscovery;
import io.mizzen.kernel.discovery.WorkloadLeases;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.wire.pilot.PilotGrpcService;
import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Pilot's push server as a function (order 25, after the config store and discovery at 20):
 * binds the {@code mizzen.pilot.v1.Pilot} service to the control plane's gRPC server and
 * publishes {@link PushStatus}. Settings ({@code plugins.settings.pilot}): {@code debounceMillis}
 * (100).
 */
@Extension
public final class PilotFunction implements MeshFunction {
  private PushServer server;

  @Override
  public String name() {
    return "pilot";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    return 25;
  }

  /** Completes once the service is bound; fails if the store, discovery or gRPC server is missing. */
  @Override
  public Future<Void> start(MeshContext context) {
    ConfigStore store = context.lookup(ConfigStore.class);
    MeshDiscovery discovery = context.lookup(MeshDiscovery.class);
    WorkloadLeases leases = context.lookup(WorkloadLeases.class);
    GrpcServer grpc = context.lookup(GrpcServer.class);
    if (store == null || discovery == null || leases == null || grpc == null) {
      return Future.failedFuture(new IllegalStateException(
          "pilot needs the config store, discovery and the gRPC server started before it"));
    }
    Map<String, Object> settings = context.settings("pilot");
    Object debounce = settings.getOrDefault("debounceMillis", 100);
    if (!(debounce instanceof Number n) || n.longValue() < 1) {
      return Future.failedFuture(new IllegalArgumentException(
          "plugins.settings.pilot.debounceMillis: must be a positive number of milliseconds, not '" + debounce + "'"));
    }
    server = new PushServer(context.vertx(), context.vertx().getOrCreateContext(), store, discovery, leases,
        context.rootNamespace(), Duration.ofMillis(n.longValue()));
    PilotGrpcService.of(server).bind(grpc);
    context.publish(PushStatus.class, server);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    if (server != null) {
      server.close();
    }
    return Future.succeededFuture();
  }
}
