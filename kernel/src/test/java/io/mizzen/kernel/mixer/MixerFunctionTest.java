package io.mizzen.kernel.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.runtime.MixerEngine;
import io.mizzen.plugins.denier.DenierAdapter;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Mixer;
import io.mizzen.spi.mixer.remote.RemoteMixer;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class MixerFunctionTest {
  @TempDir Path dir;

  @Test
  void controlPlaneServesTheEngineItPublishes(Vertx vertx, VertxTestContext ctx) {
    TestMeshContext context = new TestMeshContext(vertx, dir, Role.CONTROL_PLANE,
        Map.of("adapterTimeout", "200ms"), List.of(new DenierAdapter()));
    MixerFunction mixer = new MixerFunction();
    mixer.start(context)
        .compose(v -> {
          MixerEngine engine = context.lookup(MixerEngine.class);
          ctx.verify(() -> assertSame(engine, context.lookup(Mixer.class)));
          return engine.apply(TestResources.sample("mixer-testdata/deny.yaml"), 1);
        })
        .compose(errors -> RemoteMixer.connect(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(mixer.port(), "127.0.0.1")))
        .compose(remote -> remote.check(CheckRequest.of(AttributeBag.builder(remote.vocabulary())
            .put("request.headers", Map.of("clnt", "abc")).build())))
        .compose(r -> {
          ctx.verify(() -> {
            assertEquals(CheckResult.PERMISSION_DENIED, r.precondition().statusCode());
            assertEquals("denyall.handler.istio-system:Not allowed", r.precondition().message());
          });
          return mixer.stop();
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void sidecarRunsItEmbeddedWithoutAPort(Vertx vertx, VertxTestContext ctx) {
    TestMeshContext context = new TestMeshContext(vertx, dir, Role.SIDECAR, Map.of("embedded", true), List.of(new DenierAdapter()));
    MixerFunction mixer = new MixerFunction();
    mixer.start(context).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertEquals(-1, mixer.port());
      assertTrue(context.lookup(Mixer.class) != null);
      mixer.stop().onComplete(ctx.succeedingThenComplete());
    })));
  }

  @Test
  void badSettingsFailTheStartNamingEachField(Vertx vertx, VertxTestContext ctx) {
    TestMeshContext context = new TestMeshContext(vertx, dir, Role.CONTROL_PLANE,
        Map.of("adapterTimeout", "fast", "colour", "red"), List.of());
    new MixerFunction().start(context).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertTrue(e.getMessage().contains("adapterTimeout"), e.getMessage());
      assertTrue(e.getMessage().contains("colour: unknown field"), e.getMessage());
      ctx.completeNow();
    })));
  }
}
