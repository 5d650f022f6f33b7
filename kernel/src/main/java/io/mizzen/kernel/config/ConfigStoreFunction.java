package io.mizzen.kernel.config;

import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.config.ConfigSource;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The control plane's config store as a function: opens the {@link ConfigStore} in the state
 * folder, publishes it (for Pilot's push server, the admin API and {@code mizzen analyze}), then
 * starts every {@link ConfigSource} extension against it. Order 20: after the gRPC server, before
 * the functions that read config.
 */
@Extension
public final class ConfigStoreFunction implements MeshFunction {
  private final List<ConfigSource> started = new ArrayList<>();
  private volatile boolean ready;

  @Override
  public String name() {
    return "config-store";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    return 20;
  }

  /**
   * Completes once the persisted state is read and every source has handed over its first full
   * read; fails when the state cannot be read or a source cannot be reached at all (naming it).
   */
  @Override
  public Future<Void> start(MeshContext context) {
    // Discovery feeds the analysis of hosts once a merged registry view is published; until then
    // unknown hosts are warnings (the store is tolerant of discovery), so nothing is lost.
    return ConfigStore.open(context.vertx(), context.stateDir().resolve("config"), Set::of)
        .compose(store -> {
          context.publish(ConfigStore.class, store);
          Future<Void> chain = Future.succeededFuture();
          for (ConfigSource source : context.extensions(ConfigSource.class)) {
            chain = chain.compose(v -> source.start(context, store.sink())
                .recover(e -> Future.failedFuture(new IllegalStateException(
                    "config source '" + source.name() + "' cannot start: " + e.getMessage(), e)))
                .onSuccess(x -> started.add(source)));
          }
          return chain;
        })
        .onSuccess(v -> ready = true);
  }

  /** Stops the sources in reverse order; completes when all have stopped, failed if any failed. */
  @Override
  public Future<Void> stop() {
    ready = false;
    List<Future<Void>> stops = new ArrayList<>();
    for (int i = started.size() - 1; i >= 0; i--) {
      stops.add(started.get(i).stop());
    }
    started.clear();
    return Future.join(stops).mapEmpty();
  }

  @Override
  public boolean ready() {
    return ready;
  }
}
