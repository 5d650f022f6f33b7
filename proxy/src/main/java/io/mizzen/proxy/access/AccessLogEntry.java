package io.mizzen.proxy.access;

import java.time.Instant;

/**
 * One exchange as the access log records it, Envoy's default format in {@link #toString()}.
 *
 * @param start when the request headers arrived
 * @param listener {@code outbound}, {@code inbound} or a gateway listener name
 * @param method the request method
 * @param path the request path as received
 * @param protocol such as {@code HTTP/1.1}
 * @param status the response status sent, 0 when none was
 * @param flags the response flags, as {@link ResponseFlag#render} gives them
 * @param bytesReceived request body bytes received from the client
 * @param bytesSent response body bytes sent to the client
 * @param durationMillis from request headers to the last response byte
 * @param requestId the {@code x-request-id}
 * @param authority the Host the client addressed
 * @param route the matched route's name, or {@code -}
 * @param cluster the upstream cluster, or {@code -}
 * @param upstreamHost the endpoint that served, as {@code host:port}, or {@code -}
 * @param detail why a local reply was made, or {@code -}
 */
public record AccessLogEntry(
    Instant start,
    String listener,
    String method,
    String path,
    String protocol,
    int status,
    String flags,
    long bytesReceived,
    long bytesSent,
    long durationMillis,
    String requestId,
    String authority,
    String route,
    String cluster,
    String upstreamHost,
    String detail) {

  /** Whether this entry carries the given flag. */
  public boolean has(ResponseFlag flag) {
    for (String part : flags.split(",")) {
      if (part.equals(flag.name())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "[" + start + "] \"" + method + " " + path + " " + protocol + "\" " + status + " " + flags
        + " " + bytesReceived + " " + bytesSent + " " + durationMillis + " \"" + requestId + "\" \""
        + authority + "\" \"" + upstreamHost + "\" " + listener + " " + route + " " + cluster + " \""
        + detail + "\"";
  }
}
