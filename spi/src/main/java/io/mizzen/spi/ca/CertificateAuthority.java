package io.mizzen.spi.ca;

import io.mizzen.spi.MeshContext;
import io.vertx.core.Future;
import java.util.List;
import org.pf4j.ExtensionPoint;

/** A CA backend that signs SPIFFE workload certificates. */
public interface CertificateAuthority extends ExtensionPoint {

  /** The backend's name, such as {@code bouncycastle}. */
  String name();

  /**
   * Loads or creates the signing key and root. Key generation and file reads go through
   * {@link MeshContext#executeBlocking}.
   *
   * @return a Future completed once the CA can sign, or failed with why it cannot (unreadable
   *     or mismatched cacerts files, say)
   */
  Future<Void> start(MeshContext context);

  /**
   * Signs a request.
   *
   * @return a Future with the certificate, or failed with an {@link IllegalArgumentException}
   *     naming what is wrong with the request (bad signature, wrong key type, SAN mismatch)
   */
  Future<IssuedCertificate> sign(SigningRequest request);

  /** The roots workloads must trust now, PEM. */
  List<String> rootsPem();
}
