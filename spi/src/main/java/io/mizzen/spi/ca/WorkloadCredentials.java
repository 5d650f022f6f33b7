package io.mizzen.spi.ca;

import java.time.Instant;
import java.util.List;

/**
 * A workload's TLS credentials as the proxy needs them. {@link #toString()} never shows the key.
 *
 * @param identity whom the certificate names
 * @param certificateChainPem the leaf followed by any intermediates, PEM
 * @param privateKeyPem the leaf's key, PKCS#8 PEM; it never leaves the workload's process
 * @param rootsPem every root to trust for peers now (two during a root rotation)
 * @param serial the leaf's serial, hex
 * @param notAfter when the leaf expires
 */
public record WorkloadCredentials(
    SpiffeId identity, String certificateChainPem, String privateKeyPem, List<String> rootsPem, String serial, Instant notAfter) {
  public WorkloadCredentials {
    rootsPem = List.copyOf(rootsPem);
  }

  @Override
  public String toString() {
    return "WorkloadCredentials[" + identity + ", serial=" + serial + ", notAfter=" + notAfter + ", key=<hidden>]";
  }
}
