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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's HTTP/1.1 server codec, stricter: a request carrying both Content-Length and
 * Transfer-Encoding is rejected as invalid instead of being silently reframed, so a proxy behind
 * or in front of this one can never read the body differently (request smuggling), and a request
 * line naming another version than HTTP/1.0 or 1.1 fails to parse (answered 505). Responses to
 * HEAD carry no body, as in Netty's own server codec. A request that fails to parse leaves the
 * decoder discarding the rest of the connection's bytes, so nothing pipelined behind it is read.
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
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
      HttpMessage message = super.createMessage(initialLine);
      if (!isHttp1x(message.protocolVersion())) {
        // Netty takes any PROTOCOL/major.minor; forwarded, an upstream would read it (or answer
        // it) as something else than the HTTP/1.x this connection speaks.
        throw new UnsupportedVersionException("HTTP version not supported: " + message.protocolVersion().text());
      }
      return message;
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

  /** HTTP/1.0 or HTTP/1.1: what an HTTP/1.x connection may carry, either way. */
  static boolean isHttp1x(HttpVersion version) {
    return version.majorVersion() == 1 && version.minorVersion() <= 1 && "HTTP".equals(version.protocolName());
  }

  /** A request line naming another version than HTTP/1.0 or 1.1: answered 505. */
  static final class UnsupportedVersionException extends IllegalArgumentException {
    UnsupportedVersionException(String message) {
      super(message);
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
