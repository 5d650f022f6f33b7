package io.mizzen.kernel.agent.identity;

import io.mizzen.spi.ca.SpiffeId;
import java.security.KeyPair;

/**
 * A key made for {@code identity} and the CSR asking to certify it. The private key stays in this
 * process; only {@code csrPem} is sent. {@link #toString()} never shows the key.
 */
public record PendingIdentity(SpiffeId identity, KeyPair keys, String csrPem) {
  @Override
  public String toString() {
    return "PendingIdentity[" + identity + ", key=" + keys.getPublic().getAlgorithm() + " <private part hidden>]";
  }
}
