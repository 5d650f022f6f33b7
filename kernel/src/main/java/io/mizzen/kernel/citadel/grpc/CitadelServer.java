package io.mizzen.kernel.citadel.grpc;

import io.mizzen.kernel.citadel.CsrService;

import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;

/**
 * Citadel's gRPC endpoint ({@code mizzen.citadel.v1.CertificateService}) over TLS 1.3, on 15012 by
 * default. Its own serving certificate comes from the CA: the control plane's SPIFFE ID plus the
 * host names agents dial, with a key made here that never leaves the process, renewed like any
 * workload's at half its lifetime.
 */
public interface CitadelServer {
  /** Istio's port for the CA over TLS. */
  int DEFAULT_PORT = 15012;

  /**
   * Where and as whom to serve.
   *
   * @param host the address to bind ({@code 0.0.0.0} for all)
   * @param port the port; 0 picks a free one (tests)
   * @param identity the control plane's SPIFFE ID, such as {@code spiffe://cluster.local/ns/istio-system/sa/istiod}
   * @param hosts DNS names and IPs put in the serving certificate, as agents dial them
   * @param certificateTtl the serving certificate's lifetime
   */
  record Options(String host, int port, SpiffeId identity, List<String> hosts, Duration certificateTtl) {
    public Options {
      hosts = List.copyOf(hosts);
    }

    /** Istio's defaults for a trust domain and root namespace: port 15012, {@code istiod.<ns>.svc}, localhost. */
    public static Options defaults(String trustDomain, String rootNamespace) {
      return new Options("0.0.0.0", DEFAULT_PORT, SpiffeId.of(trustDomain, rootNamespace, "istiod"),
          List.of("istiod." + rootNamespace + ".svc", "localhost", "127.0.0.1"), Duration.ofHours(24));
    }

    public Options withPort(String newHost, int newPort) {
      return new Options(newHost, newPort, identity, hosts, certificateTtl);
    }
  }

  /**
   * Gets a serving certificate from {@code ca} and starts listening.
   *
   * @return a Future completed once the port is bound, or failed when the CA refuses or the port
   *     cannot be bound
   */
  static Future<CitadelServer> start(Vertx vertx, CsrService service, CertificateAuthority ca, Options options) {
    return GrpcCitadelServer.start(vertx, service, ca, options);
  }

  /** The port actually bound. */
  int port();

  /** The serial of the serving certificate in use now. */
  String servingSerial();

  /** Stops renewing and closes the port; completes once closed. */
  Future<Void> close();
}
