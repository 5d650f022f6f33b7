package io.mizzen.kernel.citadel.grpc;

import io.mizzen.kernel.agent.identity.KeyType;
import io.mizzen.kernel.agent.identity.PendingIdentity;
import io.mizzen.kernel.agent.identity.RotationSchedule;
import io.mizzen.kernel.agent.identity.WorkloadKeys;
import io.mizzen.kernel.citadel.CsrRefusal;
import io.mizzen.kernel.citadel.CsrRefusedException;
import io.mizzen.kernel.citadel.CsrRequest;
import io.mizzen.kernel.citadel.CsrService;
import io.mizzen.spi.ca.CertificateAuthority;
import io.mizzen.spi.ca.IssuedCertificate;
import io.mizzen.spi.ca.SigningRequest;
import io.mizzen.spi.wire.citadel.CertificateRequest;
import io.mizzen.spi.wire.citadel.CertificateResponse;
import io.mizzen.spi.wire.citadel.CertificateServiceGrpcService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CitadelServer} on vertx-grpc over an HTTP/2 TLS server. */
final class GrpcCitadelServer implements CitadelServer {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcCitadelServer.class);
  // A CSR is under 1 KiB; a request far larger is not a CSR request.
  private static final long MAX_MESSAGE_BYTES = 64 * 1024;
  private static final Set<String> TLS_1_3 = Set.of("TLSv1.3");

  private final HttpServer http;
  private volatile RotationSchedule rotation;
  private volatile String servingSerial;

  private GrpcCitadelServer(HttpServer http, String servingSerial) {
    this.http = http;
    this.servingSerial = servingSerial;
  }

  static Future<CitadelServer> start(Vertx vertx, CsrService service, CertificateAuthority ca, Options options) {
    Clock clock = Clock.systemUTC();
    Supplier<Future<ServingCertificate>> issue = () -> WorkloadKeys.prepareUnnamed(vertx, options.identity(), KeyType.EC_P256)
        .compose(pending -> ca.signControlPlane(new SigningRequest(pending.csrPem(), options.identity(), options.certificateTtl()), options.hosts())
            .map(cert -> new ServingCertificate(pending, cert)));
    return issue.get().compose(first -> {
      GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(MAX_MESSAGE_BYTES));
      grpc.callHandler(CertificateServiceGrpcService.CreateCertificate, call -> handle(call, service));
      HttpServerOptions http = new HttpServerOptions()
          .setHost(options.host())
          .setPort(options.port())
          .setSsl(true)
          .setUseAlpn(true)
          .setEnabledSecureTransportProtocols(TLS_1_3)
          .setKeyCertOptions(first.keyCert());
      return vertx.createHttpServer(http).requestHandler(grpc).listen().map(bound -> {
        GrpcCitadelServer server = new GrpcCitadelServer(bound, first.cert().serial());
        server.renewServingCertificate(vertx, issue, first, clock);
        LOG.info("Citadel CSR service on {}:{} (TLS 1.3) as {}, serving certificate {} until {}", options.host(), bound.actualPort(),
            options.identity(), first.cert().serial(), first.cert().notAfter());
        return server;
      });
    });
  }

  /** Renews the serving certificate like a workload's, swapping it into the live server. */
  private void renewServingCertificate(Vertx vertx, Supplier<Future<ServingCertificate>> issue, ServingCertificate first, Clock clock) {
    AtomicReference<ServingCertificate> latest = new AtomicReference<>(first);
    rotation = RotationSchedule.start(vertx, first.cert(),
        () -> issue.get().map(next -> {
          latest.set(next);
          return next.cert();
        }),
        cert -> http.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(latest.get().keyCert())
                .setEnabledSecureTransportProtocols(TLS_1_3))
            // Only once the swap is done do new handshakes present it.
            .onSuccess(done -> servingSerial = cert.serial())
            .onFailure(e -> LOG.error("could not swap in the renewed serving certificate {}: {}", cert.serial(), e.toString())),
        clock, new Random());
  }

  /** A serving key and its certificate, ready for Vert.x's TLS options; the key stays in memory. */
  private record ServingCertificate(PendingIdentity pending, IssuedCertificate cert) {
    PemKeyCertOptions keyCert() {
      String keyPem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pending.keys().getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      return new PemKeyCertOptions()
          .addKeyValue(Buffer.buffer(keyPem))
          .addCertValue(Buffer.buffer(cert.certificatePem() + cert.chainPem()));
    }

    @Override
    public String toString() {
      return "ServingCertificate[" + cert.serial() + ", key hidden]";
    }
  }

  private static void handle(GrpcServerRequest<CertificateRequest, CertificateResponse> call, CsrService service) {
    String peer = String.valueOf(call.connection().remoteAddress());
    call.last().onComplete(read -> {
      if (read.failed()) {
        LOG.warn("unreadable CSR request from {}: {}", peer, read.cause().toString());
        call.response().status(GrpcStatus.INVALID_ARGUMENT).statusMessage("MALFORMED_REQUEST: the request could not be read").end();
        return;
      }
      // The service logs every outcome itself: refusals as security events, its own failures as errors.
      service.sign(toCsrRequest(read.result()), peer)
          .onSuccess(cert -> call.response().send(toResponse(cert)))
          .onFailure(e -> {
            if (e instanceof CsrRefusedException refused) {
              call.response().status(statusOf(refused.reason())).statusMessage(refused.getMessage()).end();
            } else {
              // Internal failures are described in the control plane's log, not to the caller.
              call.response().status(GrpcStatus.INTERNAL).statusMessage("INTERNAL: the control plane could not sign; see its log").end();
            }
          });
    });
  }

  static GrpcStatus statusOf(CsrRefusal reason) {
    return switch (reason) {
      case UNKNOWN_TOKEN, EXPIRED_TOKEN -> GrpcStatus.UNAUTHENTICATED;
      case IDENTITY_MISMATCH, REPLAYED_REQUEST, STALE_REQUEST -> GrpcStatus.PERMISSION_DENIED;
      case MALFORMED_REQUEST, MALFORMED_CSR, CSR_TOO_LARGE, BAD_SIGNATURE, KEY_NOT_ALLOWED, BAD_TTL -> GrpcStatus.INVALID_ARGUMENT;
    };
  }

  private static CsrRequest toCsrRequest(CertificateRequest r) {
    Instant at = r.getTimestampUnixMillis() == 0 ? null : Instant.ofEpochMilli(r.getTimestampUnixMillis());
    Duration ttl = r.getTtlSeconds() == 0 ? null : Duration.ofSeconds(r.getTtlSeconds());
    return new CsrRequest(r.getToken(), r.getCsrPem(), r.getNonce().isEmpty() ? null : r.getNonce(), at, ttl);
  }

  private static CertificateResponse toResponse(IssuedCertificate cert) {
    return CertificateResponse.newBuilder()
        .setCertificatePem(cert.certificatePem())
        .setChainPem(cert.chainPem())
        .addAllRootsPem(cert.rootsPem())
        .setSerial(cert.serial())
        .setNotAfterUnixMillis(cert.notAfter().toEpochMilli())
        .build();
  }

  @Override
  public int port() {
    return http.actualPort();
  }

  @Override
  public String servingSerial() {
    return servingSerial;
  }

  @Override
  public Future<Void> close() {
    rotation.stop();
    return http.close();
  }
}
