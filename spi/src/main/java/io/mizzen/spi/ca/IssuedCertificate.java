package io.mizzen.spi.ca;

import java.time.Instant;
import java.util.List;

/**
 * A signed workload certificate.
 *
 * @param certificatePem the leaf, PEM
 * @param chainPem the chain from the leaf's issuer up to (not including) the root, PEM
 * @param rootsPem every root a workload must trust now (two during a root rotation)
 * @param serial the leaf's serial number, hex
 * @param notAfter when it expires
 */
public record IssuedCertificate(
    String certificatePem, String chainPem, List<String> rootsPem, String serial, Instant notAfter) {
  public IssuedCertificate {
    rootsPem = List.copyOf(rootsPem);
  }
}
