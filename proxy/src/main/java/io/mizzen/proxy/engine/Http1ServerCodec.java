package io.mizzen.proxy.engine;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's HTTP/1.1 server codec, stricter: a request carrying both Content-Length and
 * Transfer-Encoding is rejected as invalid instead of being silently reframed, so a proxy behind
 * or in front of this one can never read the body differently (request smuggling); so is one whose
 * Transfer-Encoding does not end in chunked exactly once, and an HTTP/1.0 request with any
 * Transfer-Encoding (RFC 9112 §6.1, §6.3); and a request
 * line naming another version than HTTP/1.0 or 1.1 fails to parse (answered 505). Responses to
 * HEAD carry no body, as in Netty's own server codec. A request that fails to parse leaves the
 * decoder discarding the rest of the connection's bytes, so nothing pipelined behind it is read.
 * A request without a body comes out as one {@code FullHttpRequest} with empty content, not as a
 * head followed by an empty end.
 */
final class Http1ServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
  private final int maxHeaderBytes;
  /** False reads every head with Netty's decoder: what {@code PlainHeadTest} holds the plain reading to. */
  private final boolean plainHeads;

  Http1ServerCodec(int maxHeaderBytes) {
    this(maxHeaderBytes, true);
  }

  Http1ServerCodec(int maxHeaderBytes, boolean plainHeads) {
    this.maxHeaderBytes = maxHeaderBytes;
    this.plainHeads = plainHeads;
    HttpDecoderConfig config = new HttpDecoderConfig()
        .setHeadersFactory(FlatHeaders.HEADERS)
        .setTrailersFactory(FlatHeaders.TRAILERS)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(maxHeaderBytes)
        .setMaxChunkSize(16 * 1024)
        .setStrictLineParsing(true)
        .setAllowDuplicateContentLengths(false);
    init(new StrictRequestDecoder(config), new HeadAwareResponseEncoder());
  }

  /** How many heads {@link PlainHead} read so far on this connection. */
  int plainReads() {
    return ((StrictRequestDecoder) inboundHandler()).plainReads;
  }

  private final class StrictRequestDecoder extends HttpRequestDecoder {
    private final PlainHead plain = new PlainHead();
    /** How many heads {@link PlainHead} read (for tests: what took the plain path). */
    private int plainReads;
    private final DecoderTurn turn = new DecoderTurn();

    StrictRequestDecoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new IllegalArgumentException("request has both Content-Length and Transfer-Encoding");
    }

    /**
     * Called by Netty once a request's headers are in, before it picks the body's framing: a
     * request whose framing no two parties need read alike is refused here (400, and the
     * connection closes). An exception thrown here makes the request invalid, as one from the
     * header parse does.
     */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage message) {
      checkTransferEncoding(message);
      return super.isContentAlwaysEmpty(message);
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
      if (turn.plainMayRead() && plainHeads && plainRequest(buffer, out)) {
        return;
      }
      turn.toNetty();
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          methods.add(request.method());
          if (i + 1 < out.size() && out.get(i + 1) == LastHttpContent.EMPTY_LAST_CONTENT
              && request.decoderResult().isSuccess() && request.method() != HttpMethod.CONNECT
              && !request.headers().contains(HttpHeaderNames.UPGRADE)) {
            // A request without a body (most are): head and end as one message, so the exchange
            // knows at once that it is whole and sends it upstream in one write. Not an upgrade:
            // Netty's h2c upgrade handler lets whole requests pass unexamined.
            out.set(i, whole(request));
            out.remove(i + 1);
          }
        }
      }
      turn.nettyPutOut(out, before, m -> ((HttpRequest) m).method() == HttpMethod.CONNECT
          || m.headers().contains(HttpHeaderNames.UPGRADE));
    }

    /**
     * A whole request head of the plain shape with no body (no Content-Length, no
     * Transfer-Encoding, no Upgrade, not CONNECT), read by {@link PlainHead} as one whole request;
     * false leaves the bytes to Netty's decoder.
     */
    private boolean plainRequest(ByteBuf buffer, List<Object> out) {
      int length = plain.read(buffer, maxHeaderBytes, 8190, true);
      if (length < 0 || plain.contentLengths != 0 || plain.transferEncoding || plain.upgrade) {
        return false;
      }
      HttpMethod method = plain.method();
      if (method == HttpMethod.CONNECT) {
        return false;
      }
      buffer.skipBytes(length);
      plainReads++;
      methods.add(method);
      out.add(new DefaultFullHttpRequest(plain.version, method, plain.target(), Unpooled.EMPTY_BUFFER,
          plain.headers(), EmptyHttpHeaders.INSTANCE));
      return true;
    }
  }

  /**
   * RFC 9112 §6.1 and §6.3: a request's Transfer-Encoding must end in chunked, once, or nothing can
   * tell where its body ends (Netty read {@code Transfer-Encoding: gzip} as no body at all, and
   * forwarded the header, so the upstream waited for a body until the route timed out); and an
   * HTTP/1.0 request with Transfer-Encoding has faulty framing (Netty decoded it chunked yet kept
   * a Content-Length beside it, which it removes only for HTTP/1.1). Found by
   * RequestFuzzPropertyTest.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  private static void checkTransferEncoding(HttpMessage message) {
    if (!message.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return; // most requests: a lookup, no list
    }
    List<String> values = message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (message.protocolVersion().minorVersion() == 0) {
      throw new IllegalArgumentException("an HTTP/1.0 request may not carry Transfer-Encoding");
    }
    int chunked = 0;
    boolean last = false;
    for (String value : values) {
      for (String coding : value.split(",", -1)) {
        last = coding.trim().equalsIgnoreCase("chunked");
        if (last) {
          chunked++;
        }
      }
    }
    if (!last || chunked != 1) {
      String shown = String.join(", ", values);
      throw new IllegalArgumentException("Transfer-Encoding must end in chunked, once: '"
          + (shown.length() > 64 ? shown.substring(0, 64) + "…" : shown) + "'");
    }
  }

  /**
   * {@code head} as one whole request with no body, sharing its headers: it holds no buffer, so
   * it may be written again (a retry) or never (answered locally).
   */
  static io.netty.handler.codec.http.FullHttpRequest whole(HttpRequest head) {
    return new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER,
        head.headers(), EmptyHttpHeaders.INSTANCE);
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
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
      if (!HeadersWriter.write(headers, buf)) {
        super.encodeHeaders(headers, buf);
      }
    }

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
