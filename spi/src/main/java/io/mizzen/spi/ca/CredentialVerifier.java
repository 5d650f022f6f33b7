package io.mizzen.spi.ca;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import org.pf4j.ExtensionPoint;

/**
 * Proves a workload's identity from a credential it presents with its CSR, such as a Kubernetes
 * service-account JWT checked by the API server's TokenReview. Citadel calls it for credentials
 * that are not its own bootstrap tokens, and signs for the identity it returns and no other.
 */
public interface CredentialVerifier extends ExtensionPoint {

  /** The verifier's name, such as {@code kubernetes-tokenreview}. */
  String name();

  /**
   * Prepares the verifier (clients, settings from {@link MeshContext#settings}).
   *
   * @return a Future completed once {@link #verify} can be called, or failed with why it cannot
   *     (invalid settings); a verifier with nothing to verify against (no cluster) still starts
   *     and refuses every credential
   */
  Future<Void> start(MeshContext context);

  /**
   * Verifies {@code credential}, off the event loop.
   *
   * @return a Future with the proven identity; failed with a {@link CredentialRefusedException}
   *     when the credential proves nothing (invalid, expired, wrong audience, not a workload), or
   *     with any other exception when the verifier could not ask (the API server unreachable):
   *     the caller may retry those, never the refusals
   */
  Future<SpiffeId> verify(String credential);

  /** Stops. @return a Future completed once no more verifications run */
  Future<Void> stop();
}
