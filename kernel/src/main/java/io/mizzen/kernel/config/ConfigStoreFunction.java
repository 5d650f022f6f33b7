package io.mizzen.kernel.config;

import io.mizzen.kernel.discovery.MeshDiscovery;
import io.mizzen.kernel.discovery.ServiceEntryEndpoints;
import io.mizzen.kernel.discovery.WorkloadLeases;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.config.ConfigSource;
import io.mizzen.spi.discovery.ServiceRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The control plane's config and discovery as one function (order 20: after the gRPC server,
 * before Pilot's push): opens the {@link ConfigStore} in the state folder and publishes it;
 * builds the merged {@link MeshDiscovery} (every {@link ServiceRegistry} extension, the sidecars'
 * self-registrations as {@link WorkloadLeases}, ServiceEntry endpoints) and publishes both; then
 * starts the built-in {@link FolderSource} on the settings' config folder and every
 * {@link ConfigSource} extension against the store.
 */
@Extension
public final class ConfigStoreFunction implements MeshFunction {
  private static final System.Logger LOG = System.getLogger(ConfigStoreFunction.class.getName());
  private final List<ConfigSource> started = new ArrayList<>();
  private final List<ServiceRegistry> registries = new ArrayList<>();
  private WorkloadLeases leases;
  private Runnable unsubscribe;
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
   * Completes once the persisted state is read, every registry and source has handed over its
   * first full read; fails when the state cannot be read or a config source cannot be reached
   * (naming it). A registry that cannot start is logged and left out, as the SPI says.
   */
  @Override
  public Future<Void> start(MeshContext context) {
    MeshDiscovery discovery = MeshDiscovery.create();
    context.publish(MeshDiscovery.class, discovery);
    MeshSettings settings = context.lookup(MeshSettings.class);
    Duration sweep = Duration.ofMillis(250);
    return ConfigStore.open(context.vertx(), context.stateDir().resolve("config"), discovery::hosts)
        .compose(store -> {
          context.publish(ConfigStore.class, store);
          var entries = discovery.sink("serviceentry");
          unsubscribe = store.onChange(s -> entries.replaceAll(ServiceEntryEndpoints.of(s.ofKind("ServiceEntry"))));
          entries.replaceAll(ServiceEntryEndpoints.of(store.snapshot().ofKind("ServiceEntry")));
          return WorkloadLeases.open(context.vertx(), discovery.sink("self"), sweep)
              .compose(l -> {
                leases = l;
                context.publish(WorkloadLeases.class, l);
                return startRegistries(context, discovery);
              })
              .map(v -> store);
        })
        .compose(store -> {
          List<ConfigSource> sources = new ArrayList<>();
          if (settings != null) {
            FolderSource folder = new FolderSource(settings.configFolder(), Duration.ofMillis(250));
            context.publish(FolderSource.class, folder);
            sources.add(folder);
          }
          sources.addAll(context.extensions(ConfigSource.class));
          Future<Void> chain = Future.succeededFuture();
          for (ConfigSource source : sources) {
            chain = chain.compose(v -> source.start(context, store.sink())
                .recover(e -> Future.failedFuture(new IllegalStateException(
                    "config source '" + source.name() + "' cannot start: " + e.getMessage(), e)))
                .onSuccess(x -> started.add(source)));
          }
          return chain;
        })
        .onSuccess(v -> ready = true);
  }

  private Future<Void> startRegistries(MeshContext context, MeshDiscovery discovery) {
    Future<Void> chain = Future.succeededFuture();
    for (ServiceRegistry registry : context.extensions(ServiceRegistry.class)) {
      chain = chain.compose(v -> registry.start(context, discovery.sink(registry.name()))
          .onSuccess(x -> registries.add(registry))
          .recover(e -> {
            LOG.log(System.Logger.Level.ERROR, "service registry '" + registry.name()
                + "' cannot start and is left out: " + e.getMessage());
            return Future.succeededFuture();
          }));
    }
    return chain;
  }

  /** Stops the sources and registries in reverse order; completes when all have stopped, failed if any failed. */
  @Override
  public Future<Void> stop() {
    ready = false;
    if (unsubscribe != null) {
      unsubscribe.run();
    }
    List<Future<Void>> stops = new ArrayList<>();
    for (int i = started.size() - 1; i >= 0; i--) {
      stops.add(started.get(i).stop());
    }
    for (int i = registries.size() - 1; i >= 0; i--) {
      stops.add(registries.get(i).stop());
    }
    if (leases != null) {
      stops.add(leases.close());
    }
    started.clear();
    registries.clear();
    return Future.join(stops).mapEmpty();
  }

  @Override
  public boolean ready() {
    return ready;
  }
}
