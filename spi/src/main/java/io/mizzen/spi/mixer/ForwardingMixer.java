package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import java.util.List;

/**
 * A Mixer in front of another that passes everything on to it: the proxy's wrappers (the check
 * cache, quota prefetch, the unreachable-Mixer policy) override what they change and inherit the
 * rest, so none forgets to pass on the config version or what the config reads.
 */
abstract class ForwardingMixer implements Mixer {
  final Mixer remote;
  /** The config version Mixer answered under when {@link #followGeneration} last looked. */
  private volatile long seenGeneration;

  ForwardingMixer(Mixer remote) {
    this.remote = remote;
    this.seenGeneration = remote.configGeneration();
  }

  /**
   * Runs {@code forget} (once, whichever thread sees it first) when Mixer has answered under
   * another config version since the last look: what was kept under the old one must go.
   */
  final void followGeneration(Runnable forget) {
    long now = remote.configGeneration();
    if (now != seenGeneration) {
      synchronized (this) {
        if (now != seenGeneration) {
          forget.run();
          seenGeneration = now;
        }
      }
    }
  }

  @Override
  public AttributeVocabulary vocabulary() {
    return remote.vocabulary();
  }

  @Override
  public Future<CheckResponse> check(CheckRequest request) {
    return remote.check(request);
  }

  @Override
  public Future<Void> report(List<AttributeBag> batch) {
    return remote.report(batch);
  }

  @Override
  public ReportBatch newReportBatch() {
    return remote.newReportBatch();
  }

  @Override
  public long configGeneration() {
    return remote.configGeneration();
  }

  @Override
  public ReferencedAttributes attributesRead() {
    return remote.attributesRead();
  }
}
