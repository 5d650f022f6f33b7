package io.mizzen.kernel.agent.identity;

import io.mizzen.kernel.citadel.CsrRefusal;
import io.mizzen.kernel.citadel.CsrRefusedException;
import io.mizzen.kernel.citadel.CsrRequest;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.wire.citadel.CertificateRequest;
import io.mizzen.spi.wire.citadel.CertificateResponse;
import io.mizzen.spi.wire.citadel.CertificateServiceGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** {@link CitadelClient} on vertx-grpc. */
final class GrpcCitadelClient implements CitadelClient {
  private final GrpcClient grpc;
  private final SocketAddress address;

  GrpcCitadelClient(Vertx vertx, SocketAddress address, List<String> rootsPem) {
    PemTrustOptions trust = new PemTrustOptions();
    for (String root : rootsPem) {
      trust.addCertValue(Buffer.buffer(root));
    }
    HttpClientOptions options = new HttpClientOptions()
        .setSsl(true)
        .setUseAlpn(true)
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setVerifyHost(true)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
        .setTrustOptions(trust);
    this.grpc = GrpcClient.client(vertx, options);
    this.address = address;
  }

  @Override
  public Future<IssuedCertificate> sign(CsrRequest request) {
    CertificateRequest.Builder message = CertificateRequest.newBuilder()
        .setCsrPem(request.csrPem() == null ? "" : request.csrPem())
        .setToken(request.token() == null ? "" : request.token())
        .setNonce(request.nonce() == null ? "" : request.nonce())
        .setTimestampUnixMillis(request.timestamp() == null ? 0 : request.timestamp().toEpochMilli())
        .setTtlSeconds(request.ttl() == null ? 0 : request.ttl().toSeconds());
    return grpc.request(address, CertificateServiceGrpcClient.CreateCertificate)
        .compose(call -> call.send(message.build()))
        .compose(response -> response.last().recover(e -> Future.failedFuture(refusal(response, e))))
        .map(GrpcCitadelClient::toCertificate);
  }

  /** Turns a non-OK status back into the server's refusal, when it is one. */
  private static Throwable refusal(GrpcClientResponse<?, ?> response, Throwable cause) {
    GrpcStatus status = response.status();
    String message = response.statusMessage();
    if (status == null || status == GrpcStatus.OK || status == GrpcStatus.INTERNAL || message == null) {
      return cause;
    }
    int colon = message.indexOf(": ");
    if (colon > 0) {
      try {
        return new CsrRefusedException(CsrRefusal.valueOf(message.substring(0, colon)), message.substring(colon + 2));
      } catch (IllegalArgumentException unknownReason) {
        // Not one of our reasons (a newer server, or a proxy in between): report it as it came.
        IllegalStateException answered = new IllegalStateException("Citadel answered " + status + ": " + message, cause);
        answered.addSuppressed(unknownReason);
        return answered;
      }
    }
    return new IllegalStateException("Citadel answered " + status + ": " + message, cause);
  }

  private static IssuedCertificate toCertificate(CertificateResponse r) {
    return new IssuedCertificate(r.getCertificatePem(), r.getChainPem(), r.getRootsPemList(), r.getSerial(),
        Instant.ofEpochMilli(r.getNotAfterUnixMillis()));
  }

  @Override
  public Future<Void> close() {
    return grpc.close();
  }
}
