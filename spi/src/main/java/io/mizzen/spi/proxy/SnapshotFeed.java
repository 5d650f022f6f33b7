package io.mizzen.spi.proxy;

import io.vertx.core.Future;
import java.util.function.Function;

/**
 * Where a proxy gets its config: the sidecar agent (or a gateway's agent, or a test) publishes one
 * through {@link io.mizzen.spi.MeshContext#publish}, and the proxy subscribes when it starts.
 * This is how the kernel (which runs the Pilot subscription) and the proxy meet without importing
 * each other.
 */
public interface SnapshotFeed {

  /**
   * Registers the proxy's consumer. It is called at once with the current snapshot if there is
   * one, then with each new snapshot, one at a time, on the feed's context.
   *
   * @param consumer applies a snapshot; its Future succeeds once the snapshot is in force (the
   *     agent acknowledges the version to Pilot) or fails with why it was rejected (the agent
   *     sends that reason back; the previous snapshot stays in force)
   */
  void subscribe(Function<ProxySnapshot, Future<Void>> consumer);
}
