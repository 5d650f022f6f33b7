package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * The proxy's report batching: finished requests are collected and sent to Mixer as one Report
 * when {@code maxBatch} are pending or {@code maxDelay} after the first of them, whichever comes
 * first. Telemetry is best effort: a batch Mixer refuses is counted, not retried. Thread-safe.
 */
public interface ReportBatcher {
  /**
   * A batch encoded as it fills is sent once it reaches this many bytes, however few its sets, so
   * a batch is at most this and one set more (a set's headers are bounded at 64 KiB each way):
   * Mixer's server sizes its message limit from it.
   */
  int MAX_BATCH_BYTES = 512 * 1024;

  /**
   * Queues one attribute set; sends the batch at once if it is now full. Never blocks.
   *
   * @throws IllegalArgumentException when the set has a value its Mixer cannot take (see
   *     {@link ReportBatch#add}); the sets queued before it are kept
   */
  void add(AttributeBag attributes);

  /** Sends what is pending now. @return a Future completed once Mixer took it (or refused it) */
  Future<Void> flush();

  /** Batches sent so far. */
  long batchesSent();

  /** Batches Mixer refused or could not be reached for. */
  long batchesFailed();

  /**
   * Flushes and stops the timer; later {@link #add} calls fail.
   *
   * @return a Future completed once Mixer has answered every batch sent so far, this last one
   *     included (a refused batch is counted in {@link #batchesFailed()}, the Future does not fail)
   */
  Future<Void> close();

  static ReportBatcher create(Vertx vertx, Mixer mixer, int maxBatch, Duration maxDelay) {
    return new TimedReportBatcher(vertx, mixer, maxBatch, maxDelay);
  }
}
