package io.mizzen.kernel.grpc;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.wire.health.MeshHealthGrpcService;
import io.mizzen.spi.wire.health.MeshHealthService;
import io.mizzen.spi.wire.health.PingReply;
import io.mizzen.spi.wire.health.PingRequest;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.server.GrpcServer;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Starts the control plane's plaintext gRPC server first (order 10), so the functions after it
 * can bind their services to the published {@link GrpcServer}. It serves {@code MeshHealth.Ping}
 * itself, which agents use to tell a live control plane from a dead port.
 */
@Extension
public final class ControlPlaneGrpc implements MeshFunction {
  private HttpServer http;

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    return 10;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    GrpcServer grpc = GrpcServer.server(context.vertx());
    MeshHealthGrpcService.of(new MeshHealthService() {
      @Override
      public Future<PingReply> ping(PingRequest request) {
        return Future.succeededFuture(PingReply.newBuilder().setServer("mizzen-control-plane")
            .setUnixMillis(System.currentTimeMillis()).build());
      }
    }).bind(grpc);
    context.publish(GrpcServer.class, grpc);
    int port = context.ports().grpc();
    http = context.vertx().createHttpServer().requestHandler(grpc);
    return http.listen(port, context.bindAddress()).andThen(r -> {
      if (r.succeeded()) {
        context.publish(GrpcEndpoint.class, new GrpcEndpoint(context.bindAddress(), r.result().actualPort()));
      }
    }).mapEmpty();
  }

  @Override
  public Future<Void> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }

  /**
   * Where the control plane's gRPC server listens (the actual port, when the settings said 0).
   *
   * @param host the bound address
   * @param port the bound port
   */
  public record GrpcEndpoint(String host, int port) {}
}
