package io.mizzen.kernel.mixer.grpc;

import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.remote.MixerWireCodec;
import io.mizzen.spi.wire.mixer.Attributes;
import io.mizzen.spi.wire.mixer.CheckReply;
import io.mizzen.spi.wire.mixer.CheckRequest;
import io.mizzen.spi.wire.mixer.MixerWireGrpcService;
import io.mizzen.spi.wire.mixer.MixerWireService;
import io.mizzen.spi.wire.mixer.ReportReply;
import io.mizzen.spi.wire.mixer.ReportRequest;
import io.mizzen.spi.wire.mixer.VocabularyReply;
import io.mizzen.spi.wire.mixer.VocabularyRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.StatusException;
import java.util.ArrayList;
import java.util.List;

/** Serves a {@link MixerEngine} over gRPC (h2c). */
public interface MixerServer {
  /** Istio's Mixer port. */
  int DEFAULT_PORT = 9091;

  /** The port it listens on (the actual one when started on port 0). */
  int port();

  /** Stops listening. @return a Future completed once the socket is closed */
  Future<Void> close();

  /**
   * Starts serving {@code engine} on {@code host:port}.
   *
   * @return a Future completed once listening, failed when the port cannot be bound
   */
  static Future<MixerServer> start(Vertx vertx, MixerEngine engine, String host, int port) {
    GrpcServer grpc = GrpcServer.server(vertx);
    MixerWireGrpcService.of(new Wire(engine)).bind(grpc);
    HttpServer http = vertx.createHttpServer().requestHandler(grpc);
    return http.listen(port, host).map(s -> new MixerServer() {
      @Override
      public int port() {
        return s.actualPort();
      }

      @Override
      public Future<Void> close() {
        return s.close();
      }
    });
  }

  /** The wire service: decode, ask the engine, encode. Bad attributes are INVALID_ARGUMENT. */
  final class Wire extends MixerWireService {
    private final MixerEngine engine;

    Wire(MixerEngine engine) {
      this.engine = engine;
    }

    @Override
    public Future<CheckReply> check(CheckRequest request) {
      io.mizzen.spi.mixer.CheckRequest decoded;
      try {
        decoded = MixerWireCodec.decode(request, engine.vocabulary());
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new StatusException(GrpcStatus.INVALID_ARGUMENT, e.getMessage()));
      }
      return engine.check(decoded).map(MixerWireCodec::encode);
    }

    @Override
    public Future<ReportReply> report(ReportRequest request) {
      AttributeVocabulary vocabulary = engine.vocabulary();
      List<AttributeBag> batch = new ArrayList<>(request.getBatchCount());
      try {
        for (Attributes a : request.getBatchList()) {
          batch.add(MixerWireCodec.decode(a, vocabulary));
        }
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new StatusException(GrpcStatus.INVALID_ARGUMENT, e.getMessage()));
      }
      return engine.report(batch).map(v -> ReportReply.getDefaultInstance());
    }

    @Override
    public Future<VocabularyReply> vocabulary(VocabularyRequest request) {
      AttributeVocabulary v = engine.vocabulary();
      VocabularyReply.Builder b = VocabularyReply.newBuilder();
      for (int i = 0; i < v.size(); i++) {
        b.putAttributes(v.name(i), v.type(i).name());
      }
      return Future.succeededFuture(b.build());
    }
  }
}
