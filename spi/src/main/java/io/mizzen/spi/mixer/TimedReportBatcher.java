package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pending {@link ReportBatch} (Mixer's own, so a remote Mixer's is encoded as it fills) guarded
 * by this object's lock; one timer armed per pending batch.
 */
final class TimedReportBatcher implements ReportBatcher {
  private final Vertx vertx;
  private final Mixer mixer;
  private final int maxBatch;
  private final long maxDelayMillis;
  private final LongAdder sent = new LongAdder();
  private final LongAdder failed = new LongAdder();
  /** Batches sent and not yet answered: close waits for them, so a stop loses nothing. */
  private final Set<Future<Void>> inFlight = ConcurrentHashMap.newKeySet();
  private ReportBatch pending;
  private long timer = -1;
  private boolean closed;

  TimedReportBatcher(Vertx vertx, Mixer mixer, int maxBatch, Duration maxDelay) {
    if (maxBatch <= 0) {
      throw new IllegalArgumentException("maxBatch must be positive, not " + maxBatch);
    }
    if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
      throw new IllegalArgumentException("maxDelay must be positive, not " + maxDelay);
    }
    this.vertx = vertx;
    this.mixer = mixer;
    this.maxBatch = maxBatch;
    this.maxDelayMillis = Math.max(1, maxDelay.toMillis());
    this.pending = mixer.newReportBatch();
  }

  @Override
  public void add(AttributeBag attributes) {
    ReportBatch full = null;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("report batcher is closed");
      }
      pending.add(attributes);
      if (pending.size() >= maxBatch || pending.bytes() >= MAX_BATCH_BYTES) {
        full = take();
      } else if (timer < 0) {
        timer = vertx.setTimer(maxDelayMillis, id -> flush());
      }
    }
    if (full != null) {
      send(full);
    }
  }

  @Override
  public Future<Void> flush() {
    ReportBatch batch;
    synchronized (this) {
      batch = take();
    }
    return batch.size() == 0 ? Future.succeededFuture() : send(batch);
  }

  /** Takes the pending batch and disarms its timer; caller holds the lock. */
  private ReportBatch take() {
    ReportBatch batch = pending;
    pending = mixer.newReportBatch();
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return batch;
  }

  private Future<Void> send(ReportBatch batch) {
    Future<Void> f;
    try {
      f = batch.send();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    Future<Void> answered = f.andThen(ar -> (ar.succeeded() ? sent : failed).increment()).otherwiseEmpty();
    inFlight.add(answered);
    answered.onComplete(ar -> inFlight.remove(answered));
    return answered;
  }

  @Override
  public long batchesSent() {
    return sent.sum();
  }

  @Override
  public long batchesFailed() {
    return failed.sum();
  }

  @Override
  public Future<Void> close() {
    ReportBatch batch;
    synchronized (this) {
      closed = true;
      batch = take();
    }
    if (batch.size() > 0) {
      send(batch);
    }
    return Future.join(List.copyOf(inFlight)).otherwiseEmpty().mapEmpty();
  }
}
