package io.mizzen.proxy.engine;

import io.mizzen.proxy.filter.RequestContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.netty.util.AsciiString;
import io.opentelemetry.context.Context;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Trace context across the proxy, Envoy-style: the incoming W3C {@code traceparent} or B3
 * headers name the parent (a new trace starts when there are none), the proxy's own span is
 * opened through the OpenTelemetry API, and both header families go upstream naming that span.
 */
final class TracePropagation {
  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  private static final AsciiString B3 = AsciiString.cached("b3");
  private static final AsciiString B3_TRACE_ID = AsciiString.cached("x-b3-traceid");
  private static final AsciiString B3_SPAN_ID = AsciiString.cached("x-b3-spanid");
  private static final AsciiString B3_PARENT_SPAN_ID = AsciiString.cached("x-b3-parentspanid");
  private static final AsciiString B3_SAMPLED = AsciiString.cached("x-b3-sampled");
  private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
  private static final byte[] HEX_BYTES = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final AsciiString SAMPLED = AsciiString.cached("1");
  private static final AsciiString NOT_SAMPLED = AsciiString.cached("0");

  private final Tracer tracer;
  /** False for the no-op API: no span is built per request, only the headers are rewritten. */
  private final boolean recording;

  TracePropagation(OpenTelemetry otel) {
    this.tracer = otel.getTracer("io.mizzen.proxy");
    this.recording = otel.getTracerProvider() != TracerProvider.noop();
  }

  /** Opens the proxy's span for a request and rewrites its trace headers to name it. */
  Span onRequest(RequestContext ctx, String listener) {
    HttpHeaders h = ctx.headers();
    SpanContext parent = parseTraceparent(h.get(TRACEPARENT));
    if (parent == null) {
      parent = parseB3(h);
    }
    if (!recording) {
      // No tracer: a span would record nothing, so skip building one, but continue the trace
      // with an id of this hop all the same.
      writeHeaders(h, parent);
      return null;
    }
    Context parentContext = parent == null ? Context.root() : Context.root().with(Span.wrap(parent));
    Span span = tracer.spanBuilder(ctx.host() + ctx.path())
        .setParent(parentContext)
        .setSpanKind("inbound".equals(listener) ? SpanKind.SERVER : SpanKind.CLIENT)
        .setAttribute("http.request.method", ctx.method())
        .setAttribute("url.path", ctx.path())
        .setAttribute("server.address", ctx.authority())
        .setAttribute("guid:x-request-id", h.get(REQUEST_ID))
        .startSpan();
    SpanContext own = span.getSpanContext();
    if (!own.isValid() || (parent != null && own.getSpanId().equals(parent.getSpanId()))) {
      // No SDK behind the API: the span records nothing, but the trace must still continue
      // with an id of this hop, so make one.
      String traceId = parent == null ? hex(16) : parent.getTraceId();
      TraceFlags flags = parent == null ? TraceFlags.getSampled() : parent.getTraceFlags();
      own = SpanContext.create(traceId, hex(8), flags, parent == null ? TraceState.getDefault() : parent.getTraceState());
    }
    writeHeaders(h, parent, own);
    return span;
  }

  /**
   * The headers naming a new span of this hop, without a span: the {@code traceparent} value
   * written once as ASCII bytes, and the B3 ids as views of it (no String per id, no hex
   * validation of ids made here; the encoder copies ASCII values as bytes).
   */
  private static void writeHeaders(HttpHeaders h, SpanContext parent) {
    byte[] tp = new byte[55];
    tp[0] = '0';
    tp[1] = '0';
    tp[2] = '-';
    if (parent == null) {
      randomHex(tp, 3, 32);
    } else {
      ascii(parent.getTraceId(), tp, 3);
    }
    tp[35] = '-';
    randomHex(tp, 36, 16);
    tp[52] = '-';
    boolean sampled = parent == null || parent.isSampled();
    ascii(parent == null ? "01" : parent.getTraceFlags().asHex(), tp, 53);
    AsciiString traceparent = new AsciiString(tp, false);
    put(h, TRACEPARENT, traceparent);
    h.remove(B3);
    put(h, B3_TRACE_ID, traceparent.subSequence(3, 35, false));
    put(h, B3_SPAN_ID, traceparent.subSequence(36, 52, false));
    if (parent != null) {
      put(h, B3_PARENT_SPAN_ID, new AsciiString(parent.getSpanId()));
    } else {
      h.remove(B3_PARENT_SPAN_ID);
    }
    put(h, B3_SAMPLED, sampled ? SAMPLED : NOT_SAMPLED);
  }

  /**
   * Sets a trace header: its name a constant, its value hex digits and dashes made here (a
   * parent's ids and flags are lower-case hex, or OpenTelemetry would have refused them), so
   * headers read by {@link PlainHead} take it without checking it again.
   */
  private static void put(HttpHeaders h, AsciiString name, CharSequence value) {
    if (h instanceof FlatHeaders flat) {
      flat.setChecked(name, value);
    } else {
      h.set(name, value);
    }
  }

  private static void ascii(String s, byte[] to, int at) {
    for (int i = 0; i < s.length(); i++) {
      to[at + i] = (byte) s.charAt(i);
    }
  }

  /** {@code digits} random lower-case hex digits (a multiple of 16) into {@code to}, never all zeros. */
  private static void randomHex(byte[] to, int at, int digits) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int i = at; i < at + digits; i += 16) {
      long v = r.nextLong() | 1L;
      for (int j = 15; j >= 0; j--) {
        to[i + j] = HEX_BYTES[(int) (v & 0xF)];
        v >>>= 4;
      }
    }
  }

  private static void writeHeaders(HttpHeaders h, SpanContext parent, SpanContext own) {
    h.set(TRACEPARENT, "00-" + own.getTraceId() + "-" + own.getSpanId() + "-" + own.getTraceFlags().asHex());
    h.remove(B3);
    h.set(B3_TRACE_ID, own.getTraceId());
    h.set(B3_SPAN_ID, own.getSpanId());
    if (parent != null) {
      h.set(B3_PARENT_SPAN_ID, parent.getSpanId());
    } else {
      h.remove(B3_PARENT_SPAN_ID);
    }
    h.set(B3_SAMPLED, own.isSampled() ? "1" : "0");
  }

  /** Ends the span with the response status. */
  static void end(Span span, int status, String flags) {
    if (span == null) {
      return;
    }
    span.setAttribute("http.response.status_code", status);
    if (!"-".equals(flags)) {
      span.setAttribute("response_flags", flags);
    }
    if (status == 0 || status >= 500) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  private static SpanContext parseTraceparent(String value) {
    if (value == null || value.length() < 55) {
      return null;
    }
    String[] parts = value.trim().split("-");
    if (parts.length < 4 || parts[1].length() != 32 || parts[2].length() != 16 || parts[3].length() != 2) {
      return null;
    }
    SpanContext sc = SpanContext.createFromRemoteParent(parts[1], parts[2], TraceFlags.fromHex(parts[3], 0),
        TraceState.getDefault());
    return sc.isValid() ? sc : null;
  }

  private static SpanContext parseB3(HttpHeaders h) {
    String traceId = h.get(B3_TRACE_ID);
    String spanId = h.get(B3_SPAN_ID);
    String sampled = h.get(B3_SAMPLED);
    String single = h.get(B3);
    if ((traceId == null || spanId == null) && single != null) {
      String[] parts = single.split("-");
      if (parts.length >= 2) {
        traceId = parts[0];
        spanId = parts[1];
        sampled = parts.length > 2 ? parts[2] : null;
      }
    }
    if (traceId == null || spanId == null) {
      return null;
    }
    if (traceId.length() == 16) {
      traceId = "0000000000000000" + traceId;
    }
    TraceFlags flags = "0".equals(sampled) ? TraceFlags.getDefault() : TraceFlags.getSampled();
    SpanContext sc = SpanContext.createFromRemoteParent(traceId, spanId, flags, TraceState.getDefault());
    return sc.isValid() ? sc : null;
  }

  /** A random id of {@code bytes} bytes (8 or 16) in lower-case hex, never all zeros. */
  private static String hex(int bytes) {
    byte[] out = new byte[bytes * 2];
    randomHex(out, 0, out.length);
    return new String(out, java.nio.charset.StandardCharsets.US_ASCII);
  }
}
