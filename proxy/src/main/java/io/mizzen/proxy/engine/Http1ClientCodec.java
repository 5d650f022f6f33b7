package io.mizzen.proxy.engine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 client codec of an upstream connection: Netty's, stricter in the way
 * {@link Http1ServerCodec} is. A response carrying both Content-Length and Transfer-Encoding
 * fails to parse (answered 503 UC) instead of being read chunked: such a response "might indicate
 * an attempt to perform request smuggling or response splitting and ought to be handled as an
 * error" (RFC 9112 §6.3), and nginx and Envoy refuse it too. So does a status line naming
 * another version than HTTP/1.x (relayed, the client would read "HTTP/2.0" on its HTTP/1.x
 * connection) or a status outside 100–599. Responses to HEAD carry no body, and
 * an interim 1xx does not use up its request's place, as in Netty's own client codec. (CONNECT
 * is not tunnelled by this proxy, so a 2xx to it is read as any other response.)
 */
final class Http1ClientCodec extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  Http1ClientCodec() {
    init(new StrictResponseDecoder(new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setMaxChunkSize(16 * 1024)),
        new MethodRecordingEncoder());
  }

  private final class StrictResponseDecoder extends HttpResponseDecoder {
    StrictResponseDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("response has both Content-Length and Transfer-Encoding");
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) {
      HttpResponse response = (HttpResponse) super.createMessage(initialLine);
      if (!Http1ServerCodec.isHttp1x(response.protocolVersion())) {
        throw new IllegalArgumentException("response version " + response.protocolVersion().text() + " is not HTTP/1.x");
      }
      int status = response.status().code();
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("response status " + status + " is not a three-digit code from 100 to 599");
      }
      return response;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
      int code = ((HttpResponse) message).status().code();
      if (code >= 100 && code < 200 && code != 101) {
        // An interim answer (100 Continue): the final response to the same request follows.
        return true;
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(message);
    }
  }

  private final class MethodRecordingEncoder extends HttpRequestEncoder {
    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
      if (msg instanceof HttpRequest request) {
        methods.add(request.method());
      }
      super.encode(ctx, msg, out);
    }
  }
}
