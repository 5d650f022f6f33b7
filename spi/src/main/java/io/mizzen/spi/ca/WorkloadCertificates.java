package io.mizzen.spi.ca;

import java.util.function.Consumer;

/**
 * The workload's certificate, kept fresh by the sidecar agent and published through
 * {@code MeshContext.publish(WorkloadCertificates.class, ...)}: what the proxy's mTLS listeners and
 * clients present, and which roots they trust. Lets the proxy swap certificates without knowing
 * the agent.
 */
public interface WorkloadCertificates {

  /** The credentials in force now, or {@code null} before the first certificate arrived. */
  WorkloadCredentials current();

  /**
   * Registers a listener called with each renewed certificate, on the agent's Vert.x context, once
   * {@link #current()} already answers it. A listener must not block.
   */
  void onRenewal(Consumer<WorkloadCredentials> listener);
}
