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
   * @return a Future completed once the batch is accepted (dispatch to telemetry handlers
   *     continues in the background; their failures are counted, never returned here), or failed
   *     when Mixer cannot be reached and the batch was not accepted
   */
  Future<Void> report(List<AttributeBag> batch);
}
