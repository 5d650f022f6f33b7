package io.mizzen.kernel.config;

import io.mizzen.spi.config.ConfigSink;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one validated config store of the control plane. Every batch, whatever its source, runs
 * both validation steps ({@link ConfigValidator}, then {@link MeshAnalyzer} against what is in
 * force; a destination host unknown to discovery is only a warning here, since registries report
 * after config is read at boot); a refused resource leaves its last good version in force and nothing already accepted
 * is lost. Each accepted change makes a new immutable {@link ConfigSnapshot} with a higher
 * version, persisted atomically (temporary file, then an atomic move) under the state folder
 * through Vert.x's non-blocking file system, then handed to every listener.
 */
public interface ConfigStore {

  /** The name of the state file under the state folder. */
  String STATE_FILE = "config-store.json";

  /**
   * Opens the store kept under {@code stateDir}, reading what was persisted there.
   *
   * @param discoveredHosts the host names the service registries know now, for analysis
   * @return a Future completed with the store once the persisted state is read, or failed when
   *     the folder cannot be created or the state file cannot be read or parsed
   */
  static Future<ConfigStore> open(Vertx vertx, Path stateDir, Supplier<Set<String>> discoveredHosts) {
    return PersistentConfigStore.open(vertx, stateDir, discoveredHosts);
  }

  /** What is in force now. */
  ConfigSnapshot snapshot();

  /**
   * Applies a batch: {@code upserts} are created or replaced, {@code deletes} removed.
   *
   * Validation and analysis run on a worker thread, so a large batch does not stall the caller's
   * event loop.
   *
   * @return a Future completed once accepted changes are persisted and listeners told, with what
   *     was accepted and refused and why; failed only when the state cannot be written (the
   *     change is then in force in memory but not on disk)
   */
  Future<ApplyResult> apply(List<Resource> upserts, List<ResourceKey> deletes);

  /**
   * Makes {@code resources} the complete set {@code origin} provides: what it gave before and
   * no longer gives is deleted, as a file's edits and deletion should do.
   *
   * @return as {@link #apply}
   */
  Future<ApplyResult> replaceOrigin(String origin, List<Resource> resources);

  /** A {@link ConfigSink} for a {@code ConfigSource} plugin, backed by this store. */
  ConfigSink sink();

  /**
   * Calls {@code listener} with every new snapshot, in version order, on a worker thread and under
   * the store's lock: a listener must be quick, must not apply, and hands the snapshot to its own
   * context (such as with {@code runOnContext}) for anything more. A listener that throws is
   * logged and does not stop the others.
   *
   * @return a handle that removes the listener when run
   */
  Runnable onChange(Consumer<ConfigSnapshot> listener);
}
