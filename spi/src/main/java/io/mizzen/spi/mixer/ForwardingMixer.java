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

  ForwardingMixer(Mixer remote) {
    this.remote = remote;
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
