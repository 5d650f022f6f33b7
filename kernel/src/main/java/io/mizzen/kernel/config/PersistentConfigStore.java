package io.mizzen.kernel.config;

import io.mizzen.spi.config.ConfigSink;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/** {@link ConfigStore}: validates, analyzes, commits a new snapshot, persists it, tells listeners. */
final class PersistentConfigStore implements ConfigStore {
  private static final System.Logger LOG = System.getLogger(PersistentConfigStore.class.getName());

  private final Vertx vertx;
  private final StateFile state;
  private final Supplier<Set<String>> discoveredHosts;
  private final ConfigValidator validator = ConfigValidator.create();
  private final MeshAnalyzer analyzer = MeshAnalyzer.tolerantOfDiscovery();
  private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();
  private volatile ConfigSnapshot current;
  // Writes are chained so that an older snapshot can never land on disk after a newer one.
  private Future<Void> lastWrite = Future.succeededFuture();

  private PersistentConfigStore(Vertx vertx, StateFile state, Supplier<Set<String>> discoveredHosts,
      ConfigSnapshot initial) {
    this.vertx = vertx;
    this.state = state;
    this.discoveredHosts = discoveredHosts;
    this.current = initial;
  }

  static Future<ConfigStore> open(Vertx vertx, Path stateDir, Supplier<Set<String>> discoveredHosts) {
    StateFile file = new StateFile(vertx, stateDir, STATE_FILE);
    return file.read().map(snapshot -> new PersistentConfigStore(vertx, file, discoveredHosts, snapshot));
  }

  @Override
  public ConfigSnapshot snapshot() {
    return current;
  }

  @Override
  public Future<ApplyResult> replaceOrigin(String origin, List<Resource> resources) {
    Set<ResourceKey> given = new HashSet<>();
    resources.forEach(r -> given.add(r.key()));
    return offTheEventLoop(resources, base -> base.resources().values().stream()
        .filter(r -> r.location() != null && origin.equals(r.location().origin()))
        .map(Resource::key).filter(k -> !given.contains(k)).toList());
  }

  @Override
  public Future<ApplyResult> apply(List<Resource> upserts, List<ResourceKey> deletes) {
    return offTheEventLoop(upserts, base -> deletes);
  }

  /** A commit, and the write that persists it. */
  private record Commit(ApplyResult result, Future<Void> written) {}

  // Validating and analyzing a large batch (a folder read at boot) takes long enough to stall an
  // event loop, so commits run on a worker; the lock orders them.
  private Future<ApplyResult> offTheEventLoop(List<Resource> upserts, Function<ConfigSnapshot, List<ResourceKey>> deletes) {
    return vertx.executeBlocking(() -> commit(upserts, deletes)).compose(c -> c.written().map(v -> c.result()));
  }

  private Commit commit(List<Resource> upserts, Function<ConfigSnapshot, List<ResourceKey>> deletesOf) {
    ApplyResult result;
    ConfigSnapshot next;
    Future<Void> written;
    synchronized (this) {
      ConfigSnapshot base = current;
      List<ResourceKey> deletes = deletesOf.apply(base);
      List<ConfigProblem> problems = new ArrayList<>();
      Set<ResourceKey> refused = new LinkedHashSet<>();
      List<Resource> candidates = new ArrayList<>();
      for (Resource r : upserts) {
        List<ConfigProblem> found = validator.validate(r);
        problems.addAll(found);
        if (found.stream().anyMatch(ConfigProblem::isError)) {
          refused.add(r.key());
        } else if (found.stream().noneMatch(p -> p.severity() == ConfigProblem.Severity.NOTE)) {
          candidates.add(r);
        }
      }
      Map<ResourceKey, Resource> remaining = new LinkedHashMap<>(base.resources());
      deletes.forEach(remaining::remove);
      // Refusing one resource can break another of the batch (a rule whose subsets a route needs),
      // so analysis repeats until the accepted set is stable; each round refuses at least one.
      while (true) {
        List<ConfigProblem> analysis = analyzer.analyze(candidates, remaining.values(), discoveredHosts.get());
        Set<String> failing = new HashSet<>();
        analysis.stream().filter(ConfigProblem::isError).forEach(p -> failing.add(p.resource()));
        boolean removed = candidates.removeIf(r -> {
          boolean fails = failing.contains(r.key().toString());
          if (fails) {
            refused.add(r.key());
          }
          return fails;
        });
        if (failing.isEmpty() || !removed) {
          problems.addAll(analysis);
          break;
        }
        analysis.stream().filter(p -> failing.contains(p.resource())).forEach(problems::add);
      }
      Map<ResourceKey, Resource> nextResources = new LinkedHashMap<>(remaining);
      List<ResourceKey> accepted = new ArrayList<>();
      for (Resource r : candidates) {
        if (!r.equals(base.resources().get(r.key()))) {
          accepted.add(r.key());
        }
        nextResources.put(r.key(), r);
      }
      List<ResourceKey> deleted = deletes.stream().filter(base.resources()::containsKey).toList();
      boolean changed = !accepted.isEmpty() || !deleted.isEmpty();
      next = changed ? new ConfigSnapshot(base.version() + 1, nextResources) : base;
      result = new ApplyResult(next.version(), accepted, deleted, List.copyOf(refused), problems);
      if (changed) {
        current = next;
        lastWrite = lastWrite.transform(previous -> state.write(next));
      }
      written = lastWrite;
      // Inside the lock so that listeners see versions in order.
      if (changed) {
        for (Consumer<ConfigSnapshot> l : listeners) {
          try {
            l.accept(next);
          } catch (RuntimeException e) {
            // One broken listener must not keep the others (or the caller) from the new version.
            LOG.log(System.Logger.Level.ERROR, "a config listener failed on version " + next.version(), e);
          }
        }
      }
    }
    return new Commit(result, written);
  }

  @Override
  public ConfigSink sink() {
    return new StoreSink(this);
  }

  @Override
  public Runnable onChange(Consumer<ConfigSnapshot> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Adapts the store to the SPI's {@link ConfigSink}. */
  private record StoreSink(PersistentConfigStore store) implements ConfigSink {
    @Override
    public Future<List<String>> replaceOrigin(String origin, List<Resource> resources) {
      return store.replaceOrigin(origin, resources)
          .map(r -> r.errors().stream().map(ConfigProblem::toString).toList());
    }

    @Override
    public void unreadable(String origin, String reason) {
      LOG.log(System.Logger.Level.WARNING, "{0} could not be read, what it gave before stays in force: {1}", origin, reason);
    }
  }
}
