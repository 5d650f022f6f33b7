package io.mizzen.proxy.h2;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * How the proxy's own error answers look to a gRPC client: HTTP 200 with {@code grpc-status}
 * and {@code grpc-message} and no body (a trailers-only response), the status mapped from the
 * HTTP one as Envoy maps it.
 */
public final class GrpcReplies {
  private GrpcReplies() {}

  /** Whether the request is gRPC ({@code content-type: application/grpc...}). */
  public static boolean isGrpc(HttpHeaders requestHeaders) {
    String type = requestHeaders.get("content-type");
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
  }

  /** The gRPC status for an HTTP status the proxy answers with (Envoy's {@code httpToGrpcStatus}). */
  public static int status(int http) {
    return switch (http) {
      case 400 -> 13; // INTERNAL
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 12; // UNIMPLEMENTED
      case 429, 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
  }

  /** {@code grpc-message}: percent-encoded UTF-8, as the gRPC spec writes it. */
  public static String message(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : (text == null ? "" : text).getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
