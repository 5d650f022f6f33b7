package io.mizzen.proxy.engine;

import io.mizzen.spi.filter.LocalReply;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds the responses the proxy answers itself: local errors, faults, redirects, direct responses. */
final class LocalReplies {
  private LocalReplies() {}

  static FullHttpResponse response(HttpRequest request, int status, String body, LocalReply reply) {
    if (status >= 400 && request != null && io.mizzen.proxy.h2.GrpcReplies.isGrpc(request.headers())) {
      return grpc(request, status, body);
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
    if (bytes.length > 0) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    response.headers().set(HttpHeaderNames.SERVER, "mizzen");
    if (reply != null) {
      for (Map.Entry<String, String> h : reply.headers().entrySet()) {
        response.headers().set(h.getKey(), h.getValue());
      }
    }
    if (request != null && request.headers().contains("x-request-id")) {
      response.headers().set("x-request-id", request.headers().get("x-request-id"));
    }
    return response;
  }

  /** A gRPC client reads errors from grpc-status, not from the HTTP status: 200, trailers only. */
  private static FullHttpResponse grpc(HttpRequest request, int status, String body) {
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.EMPTY_BUFFER);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    response.headers().setInt("grpc-status", io.mizzen.proxy.h2.GrpcReplies.status(status));
    response.headers().set("grpc-message", io.mizzen.proxy.h2.GrpcReplies.message(body));
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    response.headers().set(HttpHeaderNames.SERVER, "mizzen");
    if (request.headers().contains("x-request-id")) {
      response.headers().set("x-request-id", request.headers().get("x-request-id"));
    }
    return response;
  }

  static int bodyLength(HttpResponse response) {
    return response instanceof FullHttpResponse full ? full.content().readableBytes() : 0;
  }
}
