package io.mizzen.proxy.engine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's HTTP/1.1 server codec, stricter: a request carrying both Content-Length and
 * Transfer-Encoding is rejected as invalid instead of being silently reframed, so a proxy behind
 * or in front of this one can never read the body differently (request smuggling). Responses to
 * HEAD carry no body, as in Netty's own server codec.
 */
final class Http1ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  Http1ServerCodec(int maxHeaderBytes) {
    HttpDecoderConfig config = new HttpDecoderConfig()
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(maxHeaderBytes)
        .setMaxChunkSize(16 * 1024)
        .setStrictLineParsing(true)
        .setAllowDuplicateContentLengths(false);
    init(new StrictRequestDecoder(config), new HeadAwareResponseEncoder());
  }

  private final class StrictRequestDecoder extends HttpRequestDecoder {
    StrictRequestDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("request has both Content-Length and Transfer-Encoding");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          methods.add(request.method());
        }
      }
    }
  }

  private final class HeadAwareResponseEncoder extends HttpResponseEncoder {
    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse response) {
      int code = response.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        // An interim answer (100 Continue) does not consume the request's place in the queue.
        return true;
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
    }
  }
}
