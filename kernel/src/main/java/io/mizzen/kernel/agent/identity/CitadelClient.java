package io.mizzen.kernel.agent.identity;

import io.mizzen.kernel.citadel.CsrRequest;
import io.mizzen.spi.ca.IssuedCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * The agent's connection to Citadel's CSR service over TLS 1.3, trusting only the mesh roots and
 * checking that the server's certificate names the host dialled. A refusal comes back as a
 * failed Future with {@link io.mizzen.kernel.citadel.CsrRefusedException} carrying the server's
 * reason, so the agent can tell a bad token from an unreachable control plane.
 */
public interface CitadelClient {

  /**
   * A client for the server at {@code address}.
   *
   * @param rootsPem the roots to trust (the mesh's root certificate, as distributed to workloads)
   */
  static CitadelClient create(Vertx vertx, SocketAddress address, List<String> rootsPem) {
    return new GrpcCitadelClient(vertx, address, rootsPem);
  }

  /**
   * Sends one request.
   *
   * @return a Future with the certificate; failed with a {@code CsrRefusedException} when the
   *     server refused, or with the transport's exception when it could not be reached or its
   *     certificate is not trusted
   */
  Future<IssuedCertificate> sign(CsrRequest request);

  /** Closes the connection; completes once closed. */
  Future<Void> close();
}
