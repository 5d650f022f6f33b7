package io.mizzen.kernel.mixer;

import io.mizzen.kernel.config.ConfigSnapshot;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.mixer.config.ResourceError;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the control plane's {@link ConfigStore} to the {@link MixerEngine}: every store change is
 * recompiled. A resource the new version refuses does not vanish: its last good version stays in
 * force (and the refusal is logged naming resource and field), so a typo in a rule never lifts a
 * denial that was working.
 */
final class MixerConfigFeed {
  private static final Logger LOG = LoggerFactory.getLogger(MixerConfigFeed.class);
  private static final String GROUP = "config.istio.io";

  private final MixerEngine engine;
  private final Context context;
  private final Map<ResourceKey, Resource> lastGood = new HashMap<>();
  private Runnable unsubscribe = () -> { };
  private ConfigStore store;
  private volatile long appliedVersion = -1;
  private volatile List<ResourceError> lastErrors = List.of();

  MixerConfigFeed(MixerEngine engine, Context context) {
    this.engine = engine;
    this.context = context;
  }

  /**
   * Applies what is in force now, then follows every change.
   *
   * @return a Future completed once the current snapshot is in force (it never fails: refused
   *     resources are logged and reported by {@link #lastErrors()})
   */
  Future<Void> follow(ConfigStore store) {
    this.store = store;
    Future<Void> first = accept(store.snapshot(), false);
    // Listeners run on the store's worker thread under its lock: hop to our context at once.
    unsubscribe = store.onChange(snapshot -> context.runOnContext(v -> accept(snapshot, false)));
    return first;
  }

  /**
   * Compiles what is in force again (the adapters changed: a plugin was dropped in or removed).
   *
   * @return a Future completed once it is in force again
   */
  Future<Void> reapply() {
    return store == null ? Future.succeededFuture() : accept(store.snapshot(), true);
  }

  /** The config version last applied, -1 before the first. */
  long appliedVersion() {
    return appliedVersion;
  }

  /** The errors of the last applied version (refused resources kept at their last good version). */
  List<ResourceError> lastErrors() {
    return lastErrors;
  }

  void stop() {
    unsubscribe.run();
  }

  private Future<Void> accept(ConfigSnapshot snapshot, boolean force) {
    if (snapshot.version() <= appliedVersion && !(force && snapshot.version() == appliedVersion)) {
      return Future.succeededFuture();
    }
    Map<ResourceKey, Resource> wanted = new LinkedHashMap<>();
    snapshot.resources().forEach((k, r) -> {
      if (GROUP.equals(r.group())) {
        wanted.put(k, r);
      }
    });
    long version = snapshot.version();
    appliedVersion = version;
    return engine.apply(List.copyOf(wanted.values()), version).compose(errors -> {
      Set<ResourceKey> refused = errors.stream().map(ResourceError::resource).collect(Collectors.toSet());
      boolean substituted = false;
      for (ResourceKey key : refused) {
        Resource previous = lastGood.get(key);
        if (previous != null && wanted.containsKey(key) && !previous.equals(wanted.get(key))) {
          wanted.put(key, previous);
          substituted = true;
          LOG.warn("mixer config v{}: {} refused, its last good version stays in force", version, key);
        }
      }
      if (!substituted) {
        return Future.succeededFuture(new Outcome(errors, errors));
      }
      return engine.apply(List.copyOf(wanted.values()), version).map(again -> new Outcome(again, errors));
    }).map(outcome -> {
      Set<ResourceKey> stillRefused = outcome.applied().stream().map(ResourceError::resource).collect(Collectors.toSet());
      lastGood.keySet().retainAll(wanted.keySet());
      wanted.forEach((k, r) -> {
        if (!stillRefused.contains(k)) {
          lastGood.put(k, r);
        }
      });
      lastErrors = List.copyOf(outcome.reported());
      return null;
    });
  }

  /** What the engine refused in the end, and what the store's version had wrong. */
  private record Outcome(List<ResourceError> applied, List<ResourceError> reported) {}
}
