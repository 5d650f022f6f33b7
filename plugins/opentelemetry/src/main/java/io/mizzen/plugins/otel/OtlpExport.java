package io.mizzen.plugins.otel;

import io.mizzen.spi.mixer.Instance;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** One handler's SDK: three providers sharing a resource, and the instruments made so far. */
final class OtlpExport {
  private static final String SCOPE = "io.mizzen.mixer";
  private final OtelParams params;
  private final SdkMeterProvider meters;
  private final SdkLoggerProvider loggers;
  private final SdkTracerProvider tracers;
  private final Meter meter;
  private final Logger logger;
  private final Tracer tracer;
  private final Map<String, Object> instruments = new ConcurrentHashMap<>();

  private OtlpExport(OtelParams params, SdkMeterProvider meters, SdkLoggerProvider loggers, SdkTracerProvider tracers) {
    this.params = params;
    this.meters = meters;
    this.loggers = loggers;
    this.tracers = tracers;
    this.meter = meters.get(SCOPE);
    this.logger = loggers.get(SCOPE);
    this.tracer = tracers.get(SCOPE);
  }

  /** Blocking: builds the exporters and providers. */
  static OtlpExport start(OtelParams p) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), p.serviceName())));
    OtlpHttpMetricExporterBuilder m = OtlpHttpMetricExporter.builder().setEndpoint(p.endpoint() + "/v1/metrics");
    OtlpHttpLogRecordExporterBuilder l = OtlpHttpLogRecordExporter.builder().setEndpoint(p.endpoint() + "/v1/logs");
    OtlpHttpSpanExporterBuilder t = OtlpHttpSpanExporter.builder().setEndpoint(p.endpoint() + "/v1/traces");
    p.headers().forEach((k, v) -> {
      m.addHeader(k, v);
      l.addHeader(k, v);
      t.addHeader(k, v);
    });
    SdkMeterProvider meters = SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(m.build()).setInterval(p.exportInterval()).build()).build();
    SdkLoggerProvider loggers = SdkLoggerProvider.builder().setResource(resource)
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(l.build()).build()).build();
    SdkTracerProvider tracers = SdkTracerProvider.builder().setResource(resource)
        .addSpanProcessor(BatchSpanProcessor.builder(t.build()).build()).build();
    return new OtlpExport(p, meters, loggers, tracers);
  }

  /** Records a batch; returns what could not be recorded, by instance. */
  List<String> record(List<Instance> instances) {
    List<String> problems = new ArrayList<>();
    for (Instance i : instances) {
      try {
        switch (i.template()) {
          case "metric" -> metric(i);
          case "logentry" -> log(i);
          case "tracespan" -> span(i);
          default -> problems.add(i.name() + ": template " + i.template() + " is not exported");
        }
      } catch (IllegalArgumentException e) {
        problems.add(i.name() + ": " + e.getMessage());
      }
    }
    return problems;
  }

  private void metric(Instance i) {
    OtelParams.MetricMapping mapping = params.metrics().getOrDefault(i.name(),
        new OtelParams.MetricMapping(i.name(), i.name().split("\\.")[0], "COUNTER"));
    Attributes attrs = attributes(i.fields().get("dimensions"));
    Object value = i.fields().get("value");
    switch (mapping.kind()) {
      case "GAUGE" -> ((DoubleGauge) instruments.computeIfAbsent(mapping.name(),
          n -> meter.gaugeBuilder(n).build())).set(number(value), attrs);
      case "DISTRIBUTION" -> ((DoubleHistogram) instruments.computeIfAbsent(mapping.name(),
          n -> meter.histogramBuilder(n).build())).record(number(value), attrs);
      default -> ((LongCounter) instruments.computeIfAbsent(mapping.name(),
          n -> meter.counterBuilder(n).build())).add(Math.round(number(value)), attrs);
    }
  }

  private void log(Instance i) {
    Map<String, Object> f = i.fields();
    String severity = String.valueOf(f.getOrDefault("severity", "INFO"));
    var record = logger.logRecordBuilder()
        .setSeverity(severity(severity))
        .setSeverityText(severity)
        .setBody(i.name())
        .setAllAttributes(attributes(f.get("variables")));
    if (f.get("timestamp") instanceof Instant at) {
      record.setTimestamp(at);
    }
    record.emit();
  }

  private void span(Instance i) {
    Map<String, Object> f = i.fields();
    SpanBuilder b = tracer.spanBuilder(String.valueOf(f.getOrDefault("span_name", i.name())));
    String traceId = hex(f.get("trace_id"), 32);
    String parent = hex(f.get("parent_span_id"), 16);
    if (TraceId.isValid(traceId) && SpanId.isValid(parent)) {
      b.setParent(Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(traceId, parent,
          TraceFlags.getSampled(), TraceState.getDefault()))));
    } else {
      b.setNoParent();
    }
    b.setSpanKind(Boolean.TRUE.equals(f.get("client_span")) ? SpanKind.CLIENT : SpanKind.SERVER);
    if (f.get("start_time") instanceof Instant start) {
      b.setStartTimestamp(start);
    }
    AttributesBuilder tags = attributes(f.get("span_tags")).toBuilder();
    for (String k : List.of("source_name", "destination_name", "api_protocol", "http_status_code", "source_ip",
        "destination_ip", "request_size", "response_size")) {
      if (f.get(k) != null) {
        put(tags, k, f.get(k));
      }
    }
    Span span = b.setAllAttributes(tags.build()).startSpan();
    if (f.get("end_time") instanceof Instant end) {
      span.end(end);
    } else {
      span.end();
    }
  }

  /** Shuts the providers down, flushing what is pending; completes when all three have. */
  CompletionStage<Void> shutdown() {
    CompletableResultCode all = CompletableResultCode.ofAll(List.of(meters.shutdown(), loggers.shutdown(), tracers.shutdown()));
    CompletableFuture<Void> done = new CompletableFuture<>();
    all.whenComplete(() -> {
      if (all.isSuccess()) {
        done.complete(null);
      } else {
        done.completeExceptionally(new IllegalStateException("opentelemetry: the last export failed (endpoint " + params.endpoint() + ")"));
      }
    });
    return done;
  }

  private static Severity severity(String s) {
    String u = s.toUpperCase(Locale.ROOT);
    if (u.startsWith("WARN")) {
      return Severity.WARN;
    }
    if (u.startsWith("ERR")) {
      return Severity.ERROR;
    }
    if (u.equals("CRITICAL") || u.equals("ALERT") || u.equals("EMERGENCY")) {
      return Severity.FATAL;
    }
    return u.equals("DEBUG") ? Severity.DEBUG : Severity.INFO;
  }

  private static String hex(Object v, int length) {
    if (v == null) {
      return "";
    }
    String s = v.toString().toLowerCase(Locale.ROOT);
    return s.length() < length && s.matches("[0-9a-f]+") ? "0".repeat(length - s.length()) + s : s;
  }

  private static Attributes attributes(Object map) {
    AttributesBuilder b = Attributes.builder();
    if (map instanceof Map<?, ?> m) {
      m.forEach((k, v) -> {
        if (v != null) {
          put(b, String.valueOf(k), v);
        }
      });
    }
    return b.build();
  }

  private static void put(AttributesBuilder b, String k, Object v) {
    if (v instanceof Long || v instanceof Integer) {
      b.put(k, ((Number) v).longValue());
    } else if (v instanceof Number n) {
      b.put(k, n.doubleValue());
    } else if (v instanceof Boolean x) {
      b.put(k, x);
    } else if (v instanceof InetAddress a) {
      b.put(k, a.getHostAddress());
    } else if (v instanceof Duration d) {
      b.put(k, d.toNanos() / 1e9);
    } else {
      b.put(k, v.toString());
    }
  }

  private static double number(Object v) {
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Duration d) {
      return d.toNanos() / 1e9;
    }
    if (v == null) {
      throw new IllegalArgumentException("the metric has no value");
    }
    try {
      return Double.parseDouble(v.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the value '" + v + "' is not a number", e);
    }
  }
}
