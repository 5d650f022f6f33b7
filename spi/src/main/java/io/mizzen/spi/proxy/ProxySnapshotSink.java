package io.mizzen.spi.proxy;

import io.vertx.core.Future;

/**
 * Where the host pushes config snapshots for a running proxy. The proxy publishes one through
 * {@code MeshContext.publish}; the sidecar agent looks it up and feeds it every version Pilot sends.
 */
@FunctionalInterface
public interface ProxySnapshotSink {
  /**
   * Compiles and swaps in a snapshot.
   *
   * @return a Future completed once the snapshot is in force (to be acknowledged to Pilot), or
   *     failed with a message naming the resource and field that could not be compiled, in which
   *     case the previous snapshot stays in force (to be rejected to Pilot)
   */
  Future<Void> apply(ProxySnapshot snapshot);
}
