package io.mizzen.spi.mixer;

import io.vertx.core.Future;
import java.util.List;

/**
 * Mixer as the proxy sees it: the embedded engine or a remote client behind one interface. The
 * proxy finds it with {@code MeshContext.lookup(Mixer.class)} and never imports the kernel.
 */
public interface Mixer {

  /**
   * The vocabulary of the config version in force; bags built over an older vocabulary are still
   * accepted (they are rebased by name).
   */
  AttributeVocabulary vocabulary();

  /**
   * Checks preconditions and allocates the requested quotas for one request.
   *
   * @return a Future completed with the verdict once every matching check and quota handler has
   *     answered or timed out (a denial is a succeeded Future with a non-OK status). The Future
   *     fails only when Mixer itself cannot be reached; the caller's fail-open/fail-closed policy
   *     then decides.
   */
  Future<CheckResponse> check(CheckRequest request);

  /**
   * Records a batch of finished requests or connection events for telemetry.
   *
   * @return a Future completed once every telemetry handler the batch concerns has taken its
   *     instances, failed or timed out (handler failures are counted by Mixer, never returned
   *     here); failed only when Mixer cannot be reached and the batch was not delivered
   */
  Future<Void> report(List<AttributeBag> batch);

  /**
   * An empty report batch for this Mixer, which {@link ReportBatcher} fills set by set and sends
   * whole. The default collects the bags for {@link #report(List)}; a remote Mixer encodes each set
   * as it is added.
   */
  default ReportBatch newReportBatch() {
    return ReportBatch.collecting(this);
  }

  /**
   * The config version Mixer said it was serving in its latest answer (a Check or a Report), the
   * version in force for an in-process engine, or -1 when it does not say. A proxy that caches
   * verdicts drops them when this changes. Never blocks.
   */
  default long configGeneration() {
    return -1;
  }

  /**
   * What the config in force reads of a request's attributes, in any rule, instance, header
   * operation or QuotaSpec: a proxy may leave out of its bags what nothing would look at (any
   * attribute no expression reads, and all but the keys read of a map read only at some keys),
   * since adapters see only the instances built from those expressions. Null when unknown (then
   * every attribute is sent).
   * Right after a config change a bag may still be built to the previous version's reads. Never
   * blocks.
   */
  default ReferencedAttributes attributesRead() {
    return null;
  }
}
