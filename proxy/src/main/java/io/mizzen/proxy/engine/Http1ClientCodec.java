package io.mizzen.proxy.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
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
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_CHUNK = 16 * 1024;
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  /** False reads every head with Netty's decoder: what {@code PlainHeadTest} holds the plain reading to. */
  private final boolean plainHeads;

  Http1ClientCodec() {
    this(true);
  }

  Http1ClientCodec(boolean plainHeads) {
    this.plainHeads = plainHeads;
    init(new StrictResponseDecoder(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEAD).setMaxChunkSize(MAX_CHUNK)
        .setHeadersFactory(FlatHeaders.HEADERS).setTrailersFactory(FlatHeaders.TRAILERS)), new MethodRecordingEncoder());
  }

  /** How many heads {@link PlainHead} read so far on this connection. */
  int plainReads() {
    return ((StrictResponseDecoder) inboundHandler()).plainReads;
  }

  private final class StrictResponseDecoder extends HttpResponseDecoder {
    private final PlainHead plain = new PlainHead();
    /** How many heads {@link PlainHead} read (for tests: what took the plain path). */
    private int plainReads;
    private final DecoderTurn turn = new DecoderTurn();
    /** Bytes of a plain response's body still to come. */
    private long bodyLeft;

    StrictResponseDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      if (bodyLeft > 0) {
        body(buffer, out);
        return;
      }
      if (turn.plainMayRead() && plainHeads && plainResponse(buffer, out)) {
        return;
      }
      turn.toNetty();
      int before = out.size();
      super.decode(ctx, buffer, out);
      turn.nettyPutOut(out, before, m -> ((HttpResponse) m).status().code() == 101);
    }

    /**
     * A whole response head of the plain shape, 200–599 but not 204 or 304, framed by one
     * Content-Length, to a request other than HEAD: read by {@link PlainHead}, and its body as
     * slices of what came (at most 16 KiB each, as Netty's decoder gives); false leaves the bytes
     * to Netty's decoder.
     */
    private boolean plainResponse(ByteBuf buffer, List<Object> out) {
      HttpMethod method = methods.peek();
      if (method == null || HttpMethod.HEAD.equals(method)) {
        return false;
      }
      int length = plain.read(buffer, MAX_HEAD, 8190, false);
      int status = plain.status;
      if (length < 0 || plain.transferEncoding || plain.contentLengths != 1 || status < 200 || status == 204
          || status == 304) {
        return false;
      }
      methods.poll();
      buffer.skipBytes(length);
      plainReads++;
      out.add(new DefaultHttpResponse(plain.version, plain.responseStatus(), plain.headers()));
      bodyLeft = plain.contentLength;
      if (bodyLeft == 0) {
        out.add(LastHttpContent.EMPTY_LAST_CONTENT);
      } else {
        body(buffer, out);
      }
      return true;
    }

    private void body(ByteBuf buffer, List<Object> out) {
      int take = (int) Math.min(Math.min(buffer.readableBytes(), bodyLeft), MAX_CHUNK);
      if (take == 0) {
        return;
      }
      ByteBuf content = buffer.readRetainedSlice(take);
      bodyLeft -= take;
      out.add(bodyLeft == 0 ? new DefaultLastHttpContent(content, trailersFactory) : new DefaultHttpContent(content));
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
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (!HeadersWriter.write(headers, buf)) {
        super.encodeHeaders(headers, buf);
      }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
      if (msg instanceof HttpRequest request) {
        methods.add(request.method());
      }
      super.encode(ctx, msg, out);
    }
  }
}
