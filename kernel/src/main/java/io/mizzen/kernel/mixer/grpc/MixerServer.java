package io.mizzen.kernel.mixer.grpc;

import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ReportBatcher;
import io.mizzen.spi.mixer.remote.MixerWireCodec;
import io.mizzen.spi.wire.mixer.CheckReply;
import io.mizzen.spi.wire.mixer.CheckRequest;
import io.mizzen.spi.wire.mixer.MixerWireGrpcService;
import io.mizzen.spi.wire.mixer.MixerWireService;
import io.mizzen.spi.wire.mixer.ReportReply;
import io.mizzen.spi.wire.mixer.VocabularyReply;
import io.mizzen.spi.wire.mixer.VocabularyRequest;
import io.vertx.core.Future;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.StatusException;
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
   * Starts serving {@code engine} on {@code host:port} from one event loop per core.
   *
   * @return a Future completed once listening, failed when the port cannot be bound
   */
  static Future<MixerServer> start(Vertx vertx, MixerEngine engine, String host, int port) {
    return start(vertx, engine, host, port, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Starts serving {@code engine} on {@code host:port} from {@code eventLoops} event loops: one
   * server on one event loop would serve every proxy's checks from a single thread, so the port
   * is shared by that many servers, each on its own event loop, and connections are spread over
   * them (Vert.x hands a shared port's connections out round robin).
   *
   * @return a Future completed once every server listens, failed when the port cannot be bound
   */
  static Future<MixerServer> start(Vertx vertx, MixerEngine engine, String host, int port, int eventLoops) {
    if (eventLoops < 1) {
      return Future.failedFuture(new IllegalArgumentException("eventLoops must be at least 1, not " + eventLoops));
    }
    // Port 0 for several servers: Vert.x shares a random port among servers listening on the same
    // negative port, so each MixerServer takes a number of its own from a per-Vert.x counter.
    Future<Integer> listenPort = port != 0 ? Future.succeededFuture(port)
        : vertx.sharedData().getLocalCounter(MixerServer.class.getName() + ".shared-port")
            .compose(c -> c.incrementAndGet()).map(n -> (int) -n);
    List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    return listenPort.compose(p -> vertx.deployVerticle(() -> {
      Listener l = new Listener(engine, host, p);
      listeners.add(l);
      return l;
    }, new DeploymentOptions().setInstances(eventLoops))).map(deployment -> {
      int actual = listeners.get(0).actualPort;
      return new MixerServer() {
        @Override
        public int port() {
          return actual;
        }

        @Override
        public Future<Void> close() {
          return vertx.undeploy(deployment);
        }
      };
    });
  }

  /**
   * The largest message taken: twice a proxy's report batch bound
   * ({@link ReportBatcher#MAX_BATCH_BYTES}), as a batch is at most that and one set more.
   */
  int MAX_MESSAGE_BYTES = 2 * ReportBatcher.MAX_BATCH_BYTES;

  /** Report, with the request taken as its bytes. */
  ServiceMethod<Buffer, ReportReply> REPORT_BYTES = ServiceMethod.server(MixerWireGrpcService.Report.serviceName(),
      MixerWireGrpcService.Report.methodName(), GrpcMessageEncoder.encoder(), GrpcMessageDecoder.IDENTITY);

  /**
   * Check, with the request taken as its bytes and parsed here: vertx-grpc's own decoder resets
   * the stream (CANCEL) on bytes that do not parse, telling the caller nothing.
   */
  ServiceMethod<Buffer, CheckReply> CHECK_BYTES = ServiceMethod.server(MixerWireGrpcService.Check.serviceName(),
      MixerWireGrpcService.Check.methodName(), GrpcMessageEncoder.encoder(), GrpcMessageDecoder.IDENTITY);

  /** Vocabulary, taken as bytes for the same reason as {@link #CHECK_BYTES}. */
  ServiceMethod<Buffer, VocabularyReply> VOCABULARY_BYTES = ServiceMethod.server(MixerWireGrpcService.Vocabulary.serviceName(),
      MixerWireGrpcService.Vocabulary.methodName(), GrpcMessageEncoder.encoder(), GrpcMessageDecoder.IDENTITY);

  /**
   * Serves a unary call from its one message: a call whose stream ends with no whole message, or
   * whose frame the framing refuses, is answered INVALID_ARGUMENT (left alone it would wait
   * forever), and a second message is ignored.
   */
  private static <R> void unary(io.vertx.grpc.server.GrpcServerRequest<Buffer, R> request,
      java.util.function.Function<Buffer, Future<R>> serve) {
    boolean[] served = {false};
    request.handler(bytes -> {
      if (!served[0]) {
        served[0] = true;
        serve.apply(bytes).onComplete(reply -> request.response().end(reply), e -> request.response().fail(e));
      }
    });
    request.endHandler(v -> {
      if (!served[0]) {
        served[0] = true;
        refuse(request, GrpcStatus.INVALID_ARGUMENT, "the call ended without a whole request message");
      }
    });
    request.exceptionHandler(e -> {
      // A frame the framing refused (a compressed flag with no grpc-encoding, say).
      if (!served[0]) {
        served[0] = true;
        refuse(request, GrpcStatus.INVALID_ARGUMENT, "bad request frame: " + e.getMessage());
      }
    });
    // In place of vertx-grpc's own handler, which ended the stream even when it was answered.
    request.invalidMessageHandler(e -> {
      if (!served[0]) {
        served[0] = true;
        if (e instanceof MessageSizeOverflowException over) {
          refuse(request, GrpcStatus.RESOURCE_EXHAUSTED, "a request message of " + over.messageSize()
              + " bytes is over the limit of " + MAX_MESSAGE_BYTES);
        } else {
          refuse(request, GrpcStatus.INVALID_ARGUMENT, "bad request message: " + e.getMessage());
        }
      }
    });
  }

  private static void refuse(io.vertx.grpc.server.GrpcServerRequest<Buffer, ?> request, GrpcStatus status, String why) {
    request.response().fail(new StatusException(status, why));
  }

  /** Parses a request message, or fails INVALID_ARGUMENT naming it and what was wrong. */
  private static <T> Future<T> parse(Buffer bytes, String message, Parser<T> parser) {
    try {
      return Future.succeededFuture(parser.parse(bytes.getBytes()));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return Future.failedFuture(new StatusException(GrpcStatus.INVALID_ARGUMENT, message + " does not parse: " + e.getMessage()));
    }
  }

  /** A generated message's {@code parseFrom(byte[])}. */
  interface Parser<T> {
    T parse(byte[] bytes) throws com.google.protobuf.InvalidProtocolBufferException;
  }

  /** One of the servers sharing the port, on the event loop its deployment gave it. */
  final class Listener extends VerticleBase {
    private final MixerEngine engine;
    private final String host;
    private final int port;
    private volatile int actualPort;

    Listener(MixerEngine engine, String host, int port) {
      this.engine = engine;
      this.host = host;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      GrpcServer grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(MAX_MESSAGE_BYTES));
      Wire wire = new Wire(engine);
      grpc.callHandler(CHECK_BYTES, request -> unary(request,
          bytes -> parse(bytes, "CheckRequest", CheckRequest::parseFrom).compose(wire::check)));
      grpc.callHandler(VOCABULARY_BYTES, request -> unary(request,
          bytes -> parse(bytes, "VocabularyRequest", VocabularyRequest::parseFrom).compose(wire::vocabulary)));
      // Report takes the batch as bytes and reads the bags straight from them (MixerWireCodec's
      // decodeBatch(byte[], ...)): protobuf's parse into messages cost as much as the report itself.
      grpc.callHandler(REPORT_BYTES, request -> unary(request, bytes -> wire.report(bytes.getBytes())));
      // Windows that take a whole report batch: with HTTP/2's 64 KiB a batch waited for a
      // WINDOW_UPDATE or two, each a wake-up of the proxy's event loop and of this one.
      HttpServerOptions options = new HttpServerOptions().setTcpNoDelay(true)
          .setInitialSettings(new Http2Settings().setInitialWindowSize(MAX_MESSAGE_BYTES))
          .setHttp2ConnectionWindowSize(2 * MAX_MESSAGE_BYTES);
      return vertx.createHttpServer(options).requestHandler(grpc)
          .listen(port, host).onSuccess(s -> actualPort = s.actualPort());
    }
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
      // Read before the check: a verdict computed under a newer config than it is tagged with only
      // costs the proxy a cache refill, the other way round it would keep a stale verdict.
      long generation = engine.config().version();
      return engine.check(decoded).map(r -> MixerWireCodec.encode(r, generation));
    }

    /** A serialized ReportRequest: its sets go to the engine; bad bytes or attributes are INVALID_ARGUMENT. */
    Future<ReportReply> report(byte[] request) {
      AttributeVocabulary vocabulary = engine.vocabulary();
      List<AttributeBag> batch;
      try {
        batch = MixerWireCodec.decodeBatch(request, vocabulary);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new StatusException(GrpcStatus.INVALID_ARGUMENT, e.getMessage()));
      }
      return engine.report(batch).map(v -> ReportReply.newBuilder().setConfigGeneration(engine.config().version()).build());
    }

    @Override
    public Future<VocabularyReply> vocabulary(VocabularyRequest request) {
      AttributeVocabulary v = engine.vocabulary();
      VocabularyReply.Builder b = VocabularyReply.newBuilder();
      for (int i = 0; i < v.size(); i++) {
        b.putAttributes(v.name(i), v.type(i).name());
      }
      // What the config reads, with its version, read so that both belong to the same version:
      // a swap in between leaves the reads out (the proxy then sends every attribute).
      long generation = engine.config().version();
      ReferencedAttributes read = engine.attributesRead();
      if (read != null && engine.config().version() == generation) {
        b.setRead(MixerWireCodec.encode(read)).setConfigGeneration(generation);
      }
      return Future.succeededFuture(b.build());
    }
  }
}
