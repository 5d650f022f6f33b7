package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** W3C and B3 trace context cross the proxy naming its own span; spans go out through the API. */
class TraceContextTest {
  private Fixture f;
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private HttpServer up;

  private void start(OpenTelemetry otel) {
    f = new Fixture();
    up = f.upstream(req -> {
      for (String h : new String[] {"traceparent", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-request-id"}) {
        seen.put(h, String.valueOf(req.getHeader(h)));
      }
      req.response().end("ok");
    });
    f.start(f.options().withOpenTelemetry(otel));
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private String authority() {
    return "127.0.0.1:" + up.actualPort();
  }

  @Test
  void startsATraceWhenThereIsNone() {
    start(OpenTelemetry.noop());
    f.get(authority(), "/");
    String[] tp = seen.get("traceparent").split("-");
    assertEquals(4, tp.length, seen.toString());
    assertEquals(32, tp[1].length());
    assertEquals(tp[1], seen.get("x-b3-traceid"));
    assertEquals(tp[2], seen.get("x-b3-spanid"));
    assertEquals("1", seen.get("x-b3-sampled"));
    assertEquals(36, seen.get("x-request-id").length());
  }

  @Test
  void continuesW3cAndB3Traces() {
    start(OpenTelemetry.noop());
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    f.get(authority(), "/", Map.of("traceparent", "00-" + trace + "-00f067aa0ba902b7-01"));
    assertTrue(seen.get("traceparent").startsWith("00-" + trace + "-"), seen.toString());
    assertNotEquals("00f067aa0ba902b7", seen.get("x-b3-spanid"), "the proxy's hop has its own span id");
    assertEquals("00f067aa0ba902b7", seen.get("x-b3-parentspanid"));
    f.get(authority(), "/", Map.of("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7", "x-b3-spanid", "e457b5a2e4d86bd1",
        "x-b3-sampled", "0"));
    assertTrue(seen.get("traceparent").startsWith("00-80f198ee56343ba864fe8b2a57d3eff7-"), seen.toString());
    assertTrue(seen.get("traceparent").endsWith("-00"), "not sampled stays not sampled: " + seen.get("traceparent"));
    assertEquals("e457b5a2e4d86bd1", seen.get("x-b3-parentspanid"));
  }

  @Test
  void spansGoOutThroughTheOpenTelemetryApi() throws Exception {
    LinkedBlockingQueue<SpanData> ended = new LinkedBlockingQueue<>();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        ended.add(span.toSpanData());
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    }).build();
    OpenTelemetry otel = new OpenTelemetry() {
      @Override
      public io.opentelemetry.api.trace.TracerProvider getTracerProvider() {
        return provider;
      }

      @Override
      public ContextPropagators getPropagators() {
        return ContextPropagators.create(W3CTraceContextPropagator.getInstance());
      }
    };
    start(otel);
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    f.get(authority(), "/traced", Map.of("traceparent", "00-" + trace + "-00f067aa0ba902b7-01"));
    SpanData span = ended.poll(10, TimeUnit.SECONDS);
    assertEquals(trace, span.getTraceId());
    assertEquals("00f067aa0ba902b7", span.getParentSpanId());
    assertEquals(seen.get("x-b3-spanid"), span.getSpanId(), "the upstream is told the recorded span");
    assertEquals(200L, span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code")));
    provider.close();
  }
}
