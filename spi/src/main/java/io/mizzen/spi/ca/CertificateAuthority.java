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

  /**
   * Signs the control plane's own serving certificate (Citadel's TLS port): {@code
   * request.identity()} as a URI SAN plus the host names and IP addresses agents dial, so they can
   * verify the server both ways. Only the kernel calls this, for a key it made itself; no
   * workload request ever reaches it. The CSR is checked as for {@link #sign}.
   *
   * @param hosts DNS names and IP literals to add as SANs
   * @return a Future with the certificate, or failed with a {@link SigningRefusedException} for
   *     a bad CSR or host; by default failed with {@link UnsupportedOperationException}
   */
  default Future<IssuedCertificate> signControlPlane(SigningRequest request, List<String> hosts) {
    return Future.failedFuture(new UnsupportedOperationException(
        "the " + name() + " CA cannot sign the control plane's serving certificate"));
  }

  /** The roots workloads must trust now, PEM; empty before {@link #start} completed. */
  List<String> rootsPem();
}
