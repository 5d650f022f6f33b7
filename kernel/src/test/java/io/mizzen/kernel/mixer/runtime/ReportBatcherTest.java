package io.mizzen.kernel.mixer.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.mixer.RecordingAdapter;
import io.mizzen.kernel.mixer.TestMeshContext;
import io.mizzen.kernel.mixer.TestResources;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.ReportBatcher;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Report batching by count and by time, into the real engine. */
@ExtendWith(VertxExtension.class)
class ReportBatcherTest {
  @TempDir Path dir;

  @Test
  void batchesByCountThenByTime(Vertx vertx, VertxTestContext ctx) {
    RecordingAdapter stdio = new RecordingAdapter("stdio", Set.of("logentry"));
    MixerEngine engine = MixerEngine.create(new TestMeshContext(vertx, dir), EngineOptions.defaults(), List.of(stdio));
    engine.apply(TestResources.sample("mixer-testdata/accesslog.yaml"), 1).onComplete(ctx.succeeding(errors -> {
      ctx.verify(() -> assertEquals(List.of(), errors));
      ReportBatcher batcher = ReportBatcher.create(vertx, engine, 3, Duration.ofMillis(100));
      long start = System.nanoTime();
      for (int i = 0; i < 7; i++) {
        batcher.add(AttributeBag.builder(engine.vocabulary()).put("context.protocol", "http")
            .put("request.path", "/" + i).build());
      }
      ctx.verify(() -> assertEquals(6, stdio.received.size(), "two full batches went at once"));
      vertx.setPeriodic(10, id -> {
        if (stdio.received.size() == 7 || System.nanoTime() - start > Duration.ofSeconds(5).toNanos()) {
          vertx.cancelTimer(id);
          ctx.verify(() -> {
            assertEquals(7, stdio.received.size(), "the last one went when its delay ran out");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos(), "not before the delay");
            assertEquals(3, batcher.batchesSent());
            assertEquals(3, engine.handlerCounts().get("stdio.handler.istio-system").calls());
          });
          batcher.close().onComplete(ctx.succeedingThenComplete());
        }
      });
    }));
  }
}
