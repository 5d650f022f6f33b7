package io.mizzen.spi.ca;

import io.vertx.core.Future;
import org.pf4j.ExtensionPoint;

/**
 * Proves a workload's identity from a credential it sends with its CSR, for credentials the
 * kernel does not know itself: a Kubernetes service-account JWT checked through TokenReview, say.
 * (Bootstrap tokens from {@code mizzen token create} are the kernel's own.) Citadel asks each
 * loaded verifier, in order, whether it {@link #accepts} a credential, and uses the first that does.
 */
public interface IdentityVerifier extends ExtensionPoint {

  /** A short name for logs, such as {@code kubernetes-tokenreview}. */
  String name();

  /**
   * Whether {@code credential} is of the kind this verifier reads (a JWT's three dots, say). Cheap
   * and without I/O: it runs on the event loop. Says nothing about whether it is valid.
   */
  boolean accepts(String credential);

  /**
   * Checks {@code credential} and names the identity it proves.
   *
   * @param trustDomain the mesh's trust domain, to build the identity in
   * @return a Future with the identity; failed with a {@link CredentialRefusedException} when the
   *     credential is unknown, invalid or expired, or with another exception when the verifier
   *     could not decide (its backend is down)
   */
  Future<SpiffeId> verify(String credential, String trustDomain);
}
