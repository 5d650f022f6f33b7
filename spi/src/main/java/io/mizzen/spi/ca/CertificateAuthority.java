package io.mizzen.spi.ca;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import java.util.List;
import org.pf4j.ExtensionPoint;

/**
 * A CA backend that signs SPIFFE workload certificates. The kernel starts one (chosen by
 * {@link #name()}) on the control plane and calls {@link #sign} for every CSR whose credential
 * it has verified.
 */
public interface CertificateAuthority extends ExtensionPoint {

  /** The backend's name, such as {@code bouncycastle}. */
  String name();

  /**
   * Loads or creates the signing key and root, reading this backend's settings from
   * {@link MeshContext#settings}. Key generation and file reads go through
   * {@link MeshContext#executeBlocking}.
   *
   * @return a Future completed once the CA can sign, or failed with why it cannot (invalid
   *     settings, unreadable or mismatched cacerts files, naming the file)
   */
  Future<Void> start(MeshContext context);

  /**
   * Signs a request, off the event loop.
   *
   * @return a Future with the certificate, or failed with a {@link SigningRefusedException}
   *     naming what is wrong with the request (bad signature, wrong key type, a name other than
   *     the proven identity); any other failure means the CA itself is broken or not started
   */
  Future<IssuedCertificate> sign(SigningRequest request);

  /** The roots workloads must trust now, PEM; empty before {@link #start} completed. */
  List<String> rootsPem();
}
