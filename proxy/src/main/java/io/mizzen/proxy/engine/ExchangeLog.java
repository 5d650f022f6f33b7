package io.mizzen.proxy.engine;

import io.mizzen.proxy.access.AccessLogEntry;
import io.mizzen.proxy.access.ResponseFlag;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Instant;

/** What an exchange gathers for its access log line while it runs; one per request. */
final class ExchangeLog {
  private final ProxyServer server;
  /** The one clock read at the start; the wall-clock start is worked out only for a log line. */
  private final long startNanos = System.nanoTime();
  private final String listener;
  private final String method;
  private final String path;
  private final String protocol;
  private final String requestId;
  private final String authority;
  int status;
  int flags;
  long bytesReceived;
  long bytesSent;
  String route = "-";
  String cluster = "-";
  /** The endpoint of the last attempt; its {@code host:port} text is made only for a log line. */
  io.mizzen.proxy.cluster.Endpoint upstream;
  String detail;
  /** The caller's peer header (inbound only). */
  String peer;
  /** Whether the downstream connection is mutual TLS (inbound only). */
  boolean mutualTls;
  io.opentelemetry.api.trace.Span span;

  /** @param http2 whether the request came on an HTTP/2 stream (logged as {@code HTTP/2}, as Envoy does) */
  ExchangeLog(ProxyServer server, String listener, HttpRequest request, String requestId, String authority,
      boolean http2) {
    this.server = server;
    this.listener = listener;
    this.method = request.method().name();
    this.path = request.uri();
    // Netty's HTTP/2 conversion labels every stream's request HTTP/1.1.
    this.protocol = http2 ? "HTTP/2" : request.protocolVersion().text();
    this.requestId = requestId;
    this.authority = authority;
    server.exchangeStarted();
  }

  void finish() {
    server.count(status, flags);
    long tookNanos = System.nanoTime() - startNanos;
    server.metrics().record(listener, cluster, peer, mutualTls, status, flags, tookNanos, bytesReceived, bytesSent);
    if (!server.logsAccess()) {
      TracePropagation.end(span, status, flags == 0 ? "-" : ResponseFlag.render(flags));
      server.exchangeFinished(null);
      return;
    }
    long tookMillis = tookNanos / 1_000_000;
    AccessLogEntry entry = new AccessLogEntry(Instant.ofEpochMilli(System.currentTimeMillis() - tookMillis), listener,
        method, path, protocol, status, ResponseFlag.render(flags), bytesReceived, bytesSent,
        tookMillis, requestId, authority, route, cluster,
        upstream == null ? "-" : upstream.hostPort(),
        detail == null ? "-" : detail);
    TracePropagation.end(span, status, entry.flags());
    server.exchangeFinished(entry);
  }
}
