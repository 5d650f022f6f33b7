package io.mizzen.spi.mixer.remote;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeVocabulary;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ReportBatch;
import io.mizzen.spi.mixer.ValueType;
import io.mizzen.spi.wire.mixer.MixerWireGrpcClient;
import io.mizzen.spi.wire.mixer.ReportReply;
import io.mizzen.spi.wire.mixer.VocabularyReply;
import io.mizzen.spi.wire.mixer.VocabularyRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The proxy's client of a remote Mixer (the control plane's gRPC server on 9091). Put a
 * {@link io.mizzen.spi.mixer.CheckCache} in front of it so steady-state checks stay local.
 */
public final class RemoteMixer implements Mixer {
  /** Report with the batch already serialized (by {@link ReportWriter}, as {@link MixerWireCodec#encodeBatchBytes}). */
  private static final ServiceMethod<ReportReply, Buffer> REPORT_BYTES = ServiceMethod.client(
      MixerWireGrpcClient.Report.serviceName(), MixerWireGrpcClient.Report.methodName(), GrpcMessageEncoder.IDENTITY,
      GrpcMessageDecoder.decoder(ReportReply.newBuilder()));

  private final GrpcClient grpc;
  private final SocketAddress address;
  private final MixerWireGrpcClient client;
  private final AttributeVocabulary vocabulary;
  private volatile long generation = -1;
  /** The bytes of the last report batch sent: the next one starts with room for about as many. */
  private volatile int lastBatchBytes = 4096;
  /** What Mixer's config reads, as of the version Mixer last said (null read: it did not say). */
  private volatile ConfigReads reads;
  /** The generation whose reads were last asked for: once per config version, never per request. */
  private final AtomicLong askedFor = new AtomicLong(-1);

  private record ConfigReads(ReferencedAttributes read, long generation) {}

  private RemoteMixer(GrpcClient grpc, SocketAddress address, MixerWireGrpcClient client, AttributeVocabulary vocabulary,
                      ConfigReads reads) {
    this.grpc = grpc;
    this.address = address;
    this.client = client;
    this.vocabulary = vocabulary;
    this.reads = reads;
  }

  private static ConfigReads reads(VocabularyReply reply) {
    return reply.hasRead() ? new ConfigReads(MixerWireCodec.decode(reply.getRead()), reply.getConfigGeneration())
        : new ConfigReads(null, reply.getConfigGeneration());
  }

  /**
   * What the config Mixer serves reads, learnt with its vocabulary and asked again (once) when an
   * answer shows a new config generation; null (send every attribute) while that is unknown:
   * before the new reads arrive, or when this Mixer does not say.
   */
  @Override
  public ReferencedAttributes attributesRead() {
    ConfigReads r = reads;
    long g = generation;
    if (g == -1 || g == r.generation()) {
      return r.read();
    }
    long asked = askedFor.get();
    if (asked != g && askedFor.compareAndSet(asked, g)) {
      client.vocabulary(VocabularyRequest.getDefaultInstance()).onSuccess(reply -> reads = reads(reply));
    }
    return null;
  }

  /**
   * Connects to Mixer at {@code address} and learns its vocabulary.
   *
   * @return a Future with the client once the server has answered, failed when it cannot be
   *     reached or its vocabulary names an unknown type
   */
  public static Future<Mixer> connect(GrpcClient grpc, SocketAddress address) {
    MixerWireGrpcClient client = MixerWireGrpcClient.create(grpc, address);
    return client.vocabulary(VocabularyRequest.getDefaultInstance()).map(reply -> {
      Map<String, ValueType> attributes = new LinkedHashMap<>();
      reply.getAttributesMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> attributes.put(e.getKey(), ValueType.named(e.getValue())));
      return new RemoteMixer(grpc, address, client, AttributeVocabulary.of(attributes), reads(reply));
    });
  }

  @Override
  public AttributeVocabulary vocabulary() {
    return vocabulary;
  }

  @Override
  public Future<CheckResponse> check(CheckRequest request) {
    return client.check(MixerWireCodec.encode(request)).map(reply -> {
      // Set before the caller sees the verdict, so a cache storing it reads the generation it came with.
      generation = reply.getConfigGeneration();
      return MixerWireCodec.decode(reply);
    });
  }

  @Override
  public long configGeneration() {
    return generation;
  }

  @Override
  public Future<Void> report(List<AttributeBag> batch) {
    ReportWriter writer = new ReportWriter();
    try {
      batch.forEach(writer::add);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return send(writer.finishBuffer());
  }

  /** A batch written to its wire bytes set by set, as the sets are added. */
  @Override
  public ReportBatch newReportBatch() {
    // Sized for the last batch sent and an eighth more: a full batch grows no further.
    int last = lastBatchBytes;
    ReportWriter writer = new ReportWriter(last + last / 8);
    return new ReportBatch() {
      @Override
      public void add(AttributeBag set) {
        writer.add(set);
      }

      @Override
      public int size() {
        return writer.sets();
      }

      @Override
      public int bytes() {
        return writer.bytes();
      }

      @Override
      public Future<Void> send() {
        Buffer body = writer.finishBuffer();
        lastBatchBytes = body.length();
        return RemoteMixer.this.send(body);
      }
    };
  }

  private Future<Void> send(Buffer body) {
    return grpc.request(address, REPORT_BYTES)
        .compose(req -> req.end(body).compose(v -> req.response().compose(resp -> resp.last())))
        .map(reply -> {
          generation = reply.getConfigGeneration();
          return null;
        });
  }
}
