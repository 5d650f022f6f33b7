package io.mizzen.kernel.mixer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.RecordingAdapter;
import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.plugins.memquota.MemquotaAdapter;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HttpDenial;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.ReportBatcher;
import io.mizzen.spi.mixer.ValueType;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The remote client against the real server on 127.0.0.1, port 0, over real gRPC. */
@ExtendWith(VertxExtension.class)
class MixerServerTest {
  @TempDir Path dir;

  @Test
  void checkAndReportOverTheWire(Vertx vertx, VertxTestContext ctx) {
    RecordingAdapter stdio = new RecordingAdapter("stdio", Set.of("logentry"));
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir), EngineOptions.defaults(),
        List.of(new DenierAdapter(), new MemquotaAdapter(), stdio, new RecordingAdapter("prometheus", Set.of("metric"))));
    GrpcClient grpc = GrpcClient.client(vertx);
    engine.apply(TestResources.samples("bookinfo/policy/mixer-rule-deny-label.yaml", "bookinfo/telemetry/log-entry.yaml"), 1)
        .compose(errors -> MixerServer.start(vertx, engine, "127.0.0.1", 0))
        .compose(server -> RemoteMixer.connect(grpc, SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"))
            .compose(remote -> exercise(remote))
            .compose(results -> {
              ctx.verify(() -> {
                CheckResponse denied = results.get(0);
                assertEquals(CheckResult.PERMISSION_DENIED, denied.precondition().statusCode());
                assertEquals("PERMISSION_DENIED:denyreviewsv3handler.handler.default:Not allowed",
                    HttpDenial.of(denied.effectiveStatus()).body());
                assertTrue(denied.referenced().mapKeys().get("source.labels").contains("version"));
                assertTrue(results.get(1).precondition().isOk());
                assertEquals(1, stdio.received.size(), "the report crossed the wire and reached stdio");
                Map<?, ?> variables = (Map<?, ?>) stdio.received.get(0).fields().get("variables");
                assertEquals(Duration.ofMillis(7), variables.get("latency"));
              });
              return server.close();
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * The proxy's batching against the real server: sets are encoded as they are added, a batch
   * with large headers goes out by its bytes long before its count, and every set, delta-encoded
   * against the one before, arrives whole.
   */
  @Test
  void aBatchOfLargeSetsGoesOutByItsBytesAndArrivesWhole(Vertx vertx, VertxTestContext ctx) {
    RecordingAdapter stdio = new RecordingAdapter("stdio", Set.of("logentry"));
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir), EngineOptions.defaults(), List.of(stdio));
    String large = "x".repeat(150_000);
    engine.apply(TestResources.samples("bookinfo/telemetry/log-entry.yaml"), 1)
        .compose(errors -> MixerServer.start(vertx, engine, "127.0.0.1", 0))
        .compose(server -> RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"))
            .compose(remote -> {
              ReportBatcher batcher = ReportBatcher.create(vertx, remote, 1000, Duration.ofSeconds(30));
              for (int i = 0; i < 10; i++) {
                batcher.add(AttributeBag.builder(bag(remote, "v" + i))
                    .put("request.headers", Map.of("x-large", large + i, "x-request-id", "id-" + i)).build());
              }
              // 150 KB sets: a batch reaches 512 KiB at its fourth set, so 4 + 4 go by bytes, 2 on close
              // (one batch of all ten would be over the server's 1 MiB message limit, and lost).
              return batcher.close().map(v -> {
                ctx.verify(() -> {
                  assertEquals(10, stdio.received.size(), "every set reached stdio");
                  assertEquals(3, batcher.batchesSent());
                  assertEquals(0, batcher.batchesFailed());
                });
                return server;
              });
            })
            .compose(MixerServer::close))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * The client learns what the config reads with the vocabulary; once an answer shows another
   * config version it says it does not know (so the proxy sends every attribute) until it has
   * asked Mixer again, then it has the new version's reads.
   */
  @Test
  void theClientFollowsWhatTheConfigReadsFromVersionToVersion(Vertx vertx, VertxTestContext ctx) {
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir), EngineOptions.defaults(),
        List.of(new DenierAdapter(), new RecordingAdapter("stdio", Set.of("logentry"))));
    engine.apply(TestResources.samples("bookinfo/policy/mixer-rule-ratings-denial.yaml"), 1)
        .compose(errors -> MixerServer.start(vertx, engine, "127.0.0.1", 0))
        .compose(server -> RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"))
            .compose(remote -> {
              ctx.verify(() -> {
                assertEquals(Set.of("x-user"), remote.attributesRead().mapKeys().get("request.headers"), "x-user alone is read");
                assertTrue(!remote.attributesRead().attributes().contains("response.code"), remote.attributesRead().toString());
              });
              return engine.apply(TestResources.samples("bookinfo/telemetry/log-entry.yaml"), 2)
                  .compose(errors -> remote.report(List.of(bag(remote, "v1"))))
                  .compose(v -> {
                    ctx.verify(() -> {
                      assertEquals(2, remote.configGeneration());
                      assertEquals(null, remote.attributesRead(), "version 2's reads are not known yet");
                    });
                    return awaitReads(vertx, remote, 100);
                  })
                  .map(read -> {
                    ctx.verify(() -> {
                      assertTrue(read.attributes().contains("response.code"), "the log entry reads it: " + read);
                      assertEquals(null, read.mapKeys().get("request.headers"), "nothing reads x-user any more: " + read);
                    });
                    return server;
                  });
            })
            .compose(MixerServer::close))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** The client's reads once it has them again, asking at most {@code tries} times 20 ms apart. */
  private static Future<io.mizzen.spi.mixer.ReferencedAttributes> awaitReads(Vertx vertx, Mixer remote, int tries) {
    io.mizzen.spi.mixer.ReferencedAttributes read = remote.attributesRead();
    if (read != null) {
      return Future.succeededFuture(read);
    }
    if (tries == 0) {
      return Future.failedFuture(new AssertionError("the client never learnt version 2's reads"));
    }
    io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
    vertx.setTimer(20, t -> later.complete());
    return later.future().compose(v -> awaitReads(vertx, remote, tries - 1));
  }

  private static Future<List<CheckResponse>> exercise(Mixer remote) {
    assertEquals(ValueType.STRING_MAP, remote.vocabulary().typeOf("source.labels"));
    AttributeBag v3 = bag(remote, "v3");
    AttributeBag v2 = bag(remote, "v2");
    Future<CheckResponse> a = remote.check(CheckRequest.of(v3));
    Future<CheckResponse> b = remote.check(CheckRequest.of(v2));
    return Future.all(a, b).compose(all -> remote.report(List.of(v2)).map(v -> List.of(a.result(), b.result())));
  }

  private static AttributeBag bag(Mixer remote, String version) {
    return AttributeBag.builder(remote.vocabulary())
        .put("destination.labels", Map.of("app", "ratings")).put("destination.namespace", "default")
        .put("source.labels", Map.of("app", "reviews", "version", version))
        .put("source.ip", AttributeValues.ipAddress("10.1.2.3"))
        .put("request.time", Instant.parse("2020-01-01T00:00:00Z")).put("response.duration", Duration.ofMillis(7))
        .put("response.code", 200L).put("connection.mtls", true)
        .build();
  }
}
