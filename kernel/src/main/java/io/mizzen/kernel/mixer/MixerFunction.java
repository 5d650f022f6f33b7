package io.mizzen.kernel.mixer;

import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Mixer as a mesh function. In the control plane it runs the engine and serves it over gRPC
 * ({@code mixer.port}, 9091 by default); in a sidecar or gateway it runs the engine embedded.
 * Either way it publishes the engine as {@link Mixer} (for the proxy) and as {@link MixerEngine}
 * (for whoever feeds it config: {@link MixerEngine#apply}). Settings ({@code plugins.settings.mixer}):
 * {@code host}, {@code port}, {@code adapterTimeout}, {@code failOpen}.
 */
public final class MixerFunction implements MeshFunction {
  private MixerEngine engine;
  private MixerServer server;

  /** The validated settings. */
  record Settings(String host, int port, Duration adapterTimeout, boolean failOpen) {
    static Settings read(AdapterParams p) {
      p.only("host", "port", "adapterTimeout", "failOpen");
      long port = p.integer("port", MixerServer.DEFAULT_PORT, 0);
      if (port > 65535) {
        p.error("port", "must be at most 65535, not " + port);
      }
      Duration timeout = p.duration("adapterTimeout", EngineOptions.DEFAULT_ADAPTER_TIMEOUT);
      if (timeout.isZero()) {
        p.error("adapterTimeout", "must be positive");
      }
      return new Settings(p.string("host", "0.0.0.0"), (int) port, timeout, p.bool("failOpen", false));
    }
  }

  @Override
  public String name() {
    return "mixer";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE, Role.SIDECAR, Role.INGRESS, Role.EGRESS);
  }

  @Override
  public Future<Void> start(MeshContext context) {
    AdapterParams p = AdapterParams.of(context.settings(name()));
    Settings settings = Settings.read(p);
    List<ConfigError> errors = p.errors();
    if (!errors.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("plugins.settings.mixer: "
          + errors.stream().map(ConfigError::toString).collect(Collectors.joining("; "))));
    }
    EngineOptions options = EngineOptions.defaults().withRootNamespace(context.rootNamespace())
        .withAdapterTimeout(settings.adapterTimeout()).withFailOpen(settings.failOpen());
    List<MixerAdapter> adapters = context.extensions(MixerAdapter.class);
    return context.executeBlocking(() -> MixerEngine.create(context, options, adapters)).compose(created -> {
      engine = created;
      context.publish(MixerEngine.class, engine);
      context.publish(Mixer.class, engine);
      if (context.role() != Role.CONTROL_PLANE) {
        return Future.succeededFuture();
      }
      return MixerServer.start(context.vertx(), engine, settings.host(), settings.port()).map(s -> {
        server = s;
        return null;
      });
    });
  }

  /** The port the gRPC server listens on, or -1 when embedded. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  @Override
  public Future<Void> stop() {
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.compose(v -> engine == null ? Future.succeededFuture() : engine.close());
  }
}
