package io.mizzen.plugins.otel;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.mixer.AdapterParams;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * Exports Mixer's telemetry over OTLP/HTTP through the OpenTelemetry SDK: {@code metric}
 * instances as counters, gauges or histograms (named by the handler's {@code metrics} list;
 * dimensions become attributes), {@code logentry} instances as log records (severity, timestamp,
 * variables as attributes), {@code tracespan} instances as spans (trace and parent ids kept,
 * start/end times, tags as attributes). Params: {@code endpoint} (required), {@code serviceName},
 * {@code exportInterval} (metrics, default 10s), {@code headers}, {@code metrics}.
 *
 * <p>The SDK exports on its own background threads (its batch processors and periodic reader);
 * recording from the event loop only updates in-memory aggregates and queues, never blocks.
 * Closing a handler flushes what is pending.
 */
@Extension
public class OpenTelemetryAdapter implements MixerAdapter {

  @Override
  public String name() {
    return "opentelemetry";
  }

  @Override
  public Set<String> templates() {
    return Set.of("metric", "logentry", "tracespan");
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> params) {
    AdapterParams p = AdapterParams.of(params);
    OtelParams.read(p);
    return p.errors();
  }

  @Override
  public Future<Handler> build(Map<String, Object> params, MeshContext context) {
    OtelParams p = OtelParams.read(AdapterParams.of(params));
    // Building the SDK reads the environment and creates HTTP clients: off the event loop.
    return context.executeBlocking(() -> OtlpExport.start(p)).map(export -> new Handler() {
      @Override
      public Future<Void> report(List<Instance> instances) {
        List<String> problems = export.record(instances);
        return problems.isEmpty() ? Future.succeededFuture()
            : Future.failedFuture(new IllegalArgumentException("opentelemetry: " + String.join("; ", problems)));
      }

      @Override
      public Future<Void> close() {
        return Future.fromCompletionStage(export.shutdown());
      }
    });
  }
}
