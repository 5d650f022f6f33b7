package io.mizzen.kernel.agent;

import io.mizzen.spi.ca.WorkloadCertificates;

/**
 * Tells Pilot which workload certificate this proxy serves (serial, SANs, validity, issuer and
 * roots, never the key), for {@code mizzen proxy-config secret}. Published by the data-plane
 * agent; the agent's identity hands it its live certificates once it has the first one. The
 * report goes with the first message of every push stream and again after each renewal.
 */
public interface CertificateReporter {

  /** Reports {@code certificates}' current certificate now (when it has one) and after each renewal. */
  void follow(WorkloadCertificates certificates);
}
