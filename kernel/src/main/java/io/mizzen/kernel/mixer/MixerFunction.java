package io.mizzen.kernel.mixer;

import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.mixer.config.ResourceError;
import io.mizzen.kernel.mixer.grpc.MixerServer;
import io.mizzen.kernel.mixer.quota.SharedQuotaCounterStore;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.MixerAdapter;
import io.mizzen.spi.mixer.QuotaCounterStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mixer as a mesh function (order 30, after the config store). In the control plane it follows the
 * published {@link ConfigStore} (every change recompiled; a refused resource keeps its last good
 * version) and serves the engine over gRPC on {@code ports().mixer()} (9091) with its own HTTP and
 * gRPC servers; in a sidecar with {@code embedded: true} it runs the engine itself, fed through
 * {@link MixerEngine#apply} by whoever holds the sidecar's snapshots. Either way it publishes the engine as {@link Mixer} (for
 * the proxy) and as {@link MixerEngine}. Settings ({@code plugins.settings.mixer}):
 * {@code adapterTimeout}, {@code failOpen}, {@code embedded} (a sidecar runs the engine itself
 * only when true; otherwise its proxy uses the remote client).
 */
@Extension
public final class MixerFunction implements MeshFunction {
  private static final Logger LOG = LoggerFactory.getLogger(MixerFunction.class);
  /** How often the loaded adapter plugins are compared with the engine's. */
  static final long ADAPTER_WATCH_MILLIS = 500;
  private MixerEngine engine;
  private MixerServer server;
  private MixerConfigFeed feed;
  private long adapterWatch = -1;
  private MeshContext context;

  /** The validated settings. */
  record Settings(Duration adapterTimeout, boolean failOpen, boolean embedded) {
    static Settings read(AdapterParams p) {
      p.only("adapterTimeout", "failOpen", "embedded");
      Duration timeout = p.duration("adapterTimeout", EngineOptions.DEFAULT_ADAPTER_TIMEOUT);
      if (timeout.isZero()) {
        p.error("adapterTimeout", "must be positive");
      }
      return new Settings(timeout, p.bool("failOpen", false), p.bool("embedded", false));
    }
  }

  @Override
  public String name() {
    return "mixer";
  }

  @Override
  public Set<Role> roles() {
    // Gateways talk to the control plane's Mixer; only a sidecar may embed the engine.
    return Set.of(Role.CONTROL_PLANE, Role.SIDECAR);
  }

  @Override
  public int order() {
    return 30;
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
    if (context.role() == Role.SIDECAR && !settings.embedded()) {
      LOG.info("mixer: the sidecar uses the control plane's Mixer (plugins.settings.mixer.embedded is false)");
      return Future.succeededFuture();
    }
    EngineOptions options = EngineOptions.defaults().withRootNamespace(context.rootNamespace())
        .withAdapterTimeout(settings.adapterTimeout()).withFailOpen(settings.failOpen());
    if (context.vertx().isClustered() && context.lookup(QuotaCounterStore.class) == null) {
      // Published before any handler is built: memquota looks it up when it builds one.
      context.publish(QuotaCounterStore.class, SharedQuotaCounterStore.of(context.vertx(), System::currentTimeMillis));
      LOG.info("mixer: quota counters live in the cluster's shared data");
    }
    List<MixerAdapter> adapters = context.extensions(MixerAdapter.class);
    Context here = context.vertx().getOrCreateContext();
    return context.executeBlocking(() -> MixerEngine.create(context, options, adapters)).compose(created -> {
      engine = created;
      context.publish(MixerEngine.class, engine);
      context.publish(Mixer.class, engine);
      this.context = context;
      // Adapter plugins come and go while the kernel runs; a handler naming one that was just
      // dropped in must compile without waiting for the next config change.
      adapterWatch = context.vertx().setPeriodic(ADAPTER_WATCH_MILLIS, t -> watchAdapters());
      if (context.role() != Role.CONTROL_PLANE) {
        announceEmbedded();
        return Future.succeededFuture();
      }
      return followStore(context, here)
          .compose(v -> MixerServer.start(context.vertx(), engine, context.bindAddress(), context.ports().mixer()))
          .map(s -> {
            server = s;
            LOG.info("mixer serving Check/Report on {}:{}", context.bindAddress(), s.port());
            return null;
          });
    });
  }

  private void watchAdapters() {
    List<MixerAdapter> now = context.extensions(MixerAdapter.class);
    List<MixerAdapter> before = engine.adapters();
    if (now.size() == before.size() && now.stream().allMatch(a -> before.stream().anyMatch(b -> b == a))) {
      return;
    }
    try {
      engine.useAdapters(now);
    } catch (IllegalArgumentException e) {
      LOG.error("mixer: the loaded adapters cannot be used together ({}); keeping {}", e.getMessage(),
          before.stream().map(MixerAdapter::name).toList());
      return;
    }
    LOG.info("mixer: adapters now {}; recompiling the config", now.stream().map(MixerAdapter::name).toList());
    if (feed != null) {
      feed.reapply();
    }
  }

  private Future<Void> followStore(MeshContext context, Context here) {
    ConfigStore store = context.lookup(ConfigStore.class);
    if (store == null) {
      LOG.warn("mixer: no ConfigStore is published; the engine starts empty and takes config only through MixerEngine.apply");
      return Future.succeededFuture();
    }
    feed = new MixerConfigFeed(engine, here);
    return feed.follow(store);
  }

  private void announceEmbedded() {
    // The agent's SnapshotFeed serves one consumer, the proxy; subscribing here would take the
    // feed from it. Until the feed fans out, whoever holds the snapshots feeds the published
    // MixerEngine (apply with the snapshot's resources).
    LOG.info("mixer (embedded): config comes through the published MixerEngine.apply");
  }

  /** The port the gRPC server listens on, or -1 when embedded. */
  public int port() {
    return server == null ? -1 : server.port();
  }

  /** The store version last applied (-1 before any, or with no store). */
  long feedVersion() {
    return feed == null ? -1 : feed.appliedVersion();
  }

  /** What the last applied store version had wrong. */
  List<ResourceError> feedErrors() {
    return feed == null ? List.of() : feed.lastErrors();
  }

  @Override
  public Future<Void> stop() {
    if (adapterWatch >= 0) {
      context.vertx().cancelTimer(adapterWatch);
      adapterWatch = -1;
    }
    if (feed != null) {
      feed.stop();
    }
    Future<Void> closing = server == null ? Future.succeededFuture() : server.close();
    return closing.compose(v -> engine == null ? Future.succeededFuture() : engine.close());
  }
}
