package io.mizzen.spi.mixer;

import io.vertx.core.Future;

/**
 * Where quota counters live. The memquota adapter keeps them in memory unless the host publishes
 * a store ({@code MeshContext.publish(QuotaCounterStore.class, …)}), as the clustered control
 * plane does so that N replicas enforce one limit.
 */
public interface QuotaCounterStore {

  /**
   * Takes up to {@code amount} from the counter {@code key} under {@code window}.
   *
   * @param deduplicationId a retried allocation with the same id (within the window's
   *     deduplication duration) is answered with the first answer and not counted again; may be
   *     null or empty for none
   * @param bestEffort whether less than {@code amount} may be granted; otherwise all or nothing
   * @return a Future with the amount granted (0 when exhausted); failed only when the store
   *     cannot be reached
   */
  Future<Long> allocate(QuotaWindow window, String key, long amount, boolean bestEffort, String deduplicationId);
}
