package io.mizzen.kernel.mixer.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.kernel.mixer.runtime.EngineOptions;
import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResponse;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HttpDenial;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.QuotaArgs;
import io.mizzen.spi.mixer.UnreachableMixerPolicy;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Mixer server is stopped under the client: fail open lets requests through, fail closed answers 503. */
class UnreachableMixerPolicyTest {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void whenMixerGoesAwayTheWorkloadsPolicyDecides() throws Exception {
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir, Role.CONTROL_PLANE, Map.of(), List.of()),
        EngineOptions.defaults(), List.of(new DenierAdapter()));
    engine.apply(TestResources.sample("mixer-testdata/deny.yaml"), 1).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    MixerServer server = MixerServer.start(vertx, engine, "127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Mixer remote = RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Mixer open = UnreachableMixerPolicy.guard(vertx, remote, true, Duration.ofSeconds(2));
    Mixer closed = UnreachableMixerPolicy.guard(vertx, remote, false, Duration.ofSeconds(2));
    AttributeBag denied = AttributeBag.builder(remote.vocabulary()).put("request.headers", Map.of("clnt", "abc")).build();
    CheckRequest request = new CheckRequest(denied, Map.of("requestcount", new QuotaArgs(1, "q1", false)));

    assertEquals(CheckResult.PERMISSION_DENIED, get(closed.check(request)).effectiveStatus().statusCode(),
        "while Mixer answers, its verdict stands whatever the policy");
    assertEquals(CheckResult.PERMISSION_DENIED, get(open.check(request)).effectiveStatus().statusCode());

    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    CheckResponse failedClosed = get(closed.check(request));
    assertEquals(CheckResult.UNAVAILABLE, failedClosed.effectiveStatus().statusCode());
    assertEquals(503, HttpDenial.of(failedClosed.effectiveStatus()).httpStatus());
    assertTrue(failedClosed.effectiveStatus().message().startsWith("mixer unreachable"), failedClosed.effectiveStatus().message());
    assertEquals(0, failedClosed.effectiveStatus().validUseCount(), "never cached");
    CheckResponse failedOpen = get(open.check(request));
    assertTrue(failedOpen.effectiveStatus().isOk(), failedOpen.toString());
    assertEquals(1, failedOpen.quotas().get("requestcount").granted(), "fail open grants the quota asked");
  }

  private static CheckResponse get(io.vertx.core.Future<CheckResponse> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
