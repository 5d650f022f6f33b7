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
   *     case the previous snapshot stays in force (to be rejected to Pilot). One exception: a
   *     failure whose message says {@code rejected in part} means the snapshot is in force except
   *     for the settings it names (a DestinationRule's TLS origination files that cannot be read:
   *     that rule's clusters answer 503 with the reason); it is still rejected to Pilot, so the
   *     error reaches the user
   */
  Future<Void> apply(ProxySnapshot snapshot);
}
