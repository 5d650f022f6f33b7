package io.mizzen.proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * {@link PlainHead} against Netty's decoder: the HTTP/1.1 codecs with plain heads read by it and
 * with every head read by Netty must hand the proxy the same messages (method or status, target,
 * version, headers in order, bodies, failures) for the same bytes, however they are cut into
 * reads, and must write those messages out again as the same bytes. The heads are made of the
 * plain shape and of each way out of it (bare CR or LF, control bytes, obs-text, folded lines,
 * spaces before colons, other versions, framing headers), so both the plain reading and the
 * hand-over to Netty's decoder are covered.
 */
class PlainHeadTest {

  @Property(tries = 2000, edgeCases = EdgeCasesMode.NONE)
  void requestsDecodeAsNettyDecodesThem(@ForAll("requests") List<String> messages, @ForAll("cuts") List<Integer> cuts) {
    byte[] bytes = String.join("", messages).getBytes(StandardCharsets.ISO_8859_1);
    int[] read = new int[1];
    List<String> plain = decode(new EmbeddedChannel(new Http1ServerCodec(4096, true)), bytes, cuts, read);
    List<String> netty = decode(new EmbeddedChannel(new Http1ServerCodec(4096, false)), bytes, cuts, new int[1]);
    assertEquals(netty, plain, () -> "for " + show(bytes));
    Statistics.label("a head read by PlainHead").collect(read[0] > 0);
    Statistics.label("a head read by PlainHead").coverage(c -> c.check(true).percentage(p -> p >= 10));
  }

  @Property(tries = 2000, edgeCases = EdgeCasesMode.NONE)
  void responsesDecodeAsNettyDecodesThem(@ForAll("responses") List<Tuple.Tuple2<HttpMethod, String>> exchanges,
      @ForAll("cuts") List<Integer> cuts) {
    StringBuilder all = new StringBuilder();
    exchanges.forEach(e -> all.append(e.get2()));
    byte[] bytes = all.toString().getBytes(StandardCharsets.ISO_8859_1);
    List<HttpMethod> methods = exchanges.stream().map(Tuple.Tuple2::get1).toList();
    int[] read = new int[1];
    List<String> plain = decode(client(true, methods), bytes, cuts, read);
    List<String> netty = decode(client(false, methods), bytes, cuts, new int[1]);
    assertEquals(netty, plain, () -> "for " + methods + " " + show(bytes));
    Statistics.label("a head read by PlainHead").collect(read[0] > 0);
    Statistics.label("a head read by PlainHead").coverage(c -> c.check(true).percentage(p -> p >= 10));
  }

  @Test
  void aPlainRequestIsReadByPlainHeadWithItsHeadersAsViewsAndWrittenOutAsItCame() {
    String head = "GET /a?b=c HTTP/1.1\r\nHost: x.example\r\nX-Spaced: \t v  w \t\r\nAccept:*/*\r\n\r\n";
    EmbeddedChannel in = new EmbeddedChannel(new Http1ServerCodec(4096, true));
    in.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
    FullHttpRequest request = in.readInbound();
    assertEquals(1, ((Http1ServerCodec) in.pipeline().first()).plainReads(), "read by PlainHead");
    assertEquals("/a?b=c", request.uri());
    assertEquals("v  w", request.headers().get("x-spaced"));
    EmbeddedChannel out = new EmbeddedChannel(new Http1ClientCodec(true));
    out.writeOutbound(request);
    ByteBuf written = out.readOutbound();
    assertEquals("GET /a?b=c HTTP/1.1\r\nHost: x.example\r\nX-Spaced: v  w\r\nAccept: */*\r\n\r\n",
        written.toString(StandardCharsets.ISO_8859_1));
    written.release();
    in.finishAndReleaseAll();
    out.finishAndReleaseAll();
  }

  @Test
  void aPlainResponseBodyComesAsSlicesOfWhatCameAcrossReads() {
    EmbeddedChannel ch = client(true, List.of(HttpMethod.GET, HttpMethod.GET));
    int[] read = new int[1];
    List<String> seen = decode(ch, ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        + "HTTP/1.1 503 Busy Now\r\ncontent-length: 3\r\n\r\nbye").getBytes(StandardCharsets.ISO_8859_1), List.of(40), read);
    assertEquals(2, read[0], "both heads read by PlainHead");
    assertEquals(List.of("response HTTP/1.1 200 OK [Content-Length=5] ok", "body hello", "end []",
        "response HTTP/1.1 503 Busy Now [content-length=3] ok", "body bye", "end []"), seen);
  }

  @Test
  void aHeadLongerThanTheFirstWindowIsReadWhole() {
    String cookie = "c=" + "v".repeat(3000);
    EmbeddedChannel in = new EmbeddedChannel(new Http1ServerCodec(8192, true));
    in.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + "\r\nX-After: 1\r\n\r\n",
        StandardCharsets.ISO_8859_1));
    FullHttpRequest request = in.readInbound();
    assertEquals(1, ((Http1ServerCodec) in.pipeline().first()).plainReads(), "read by PlainHead");
    assertEquals(cookie, request.headers().get("cookie"));
    assertEquals("1", request.headers().get("x-after"));
    in.finishAndReleaseAll();
    int[] read = new int[1];
    List<String> seen = decode(client(true, List.of(HttpMethod.GET)), ("HTTP/1.1 200 OK\r\nX-Long: " + "w".repeat(1500)
        + "\r\nContent-Length: 3\r\n\r\nabc").getBytes(StandardCharsets.ISO_8859_1), List.of(), read);
    assertEquals(1, read[0], "read by PlainHead");
    assertEquals(List.of("response HTTP/1.1 200 OK [X-Long=" + "w".repeat(1500) + ", Content-Length=3] ok", "body abc", "end []"),
        seen);
  }

  /** An upstream codec that has sent requests with these methods, so their responses are expected. */
  private static EmbeddedChannel client(boolean plainHeads, List<HttpMethod> methods) {
    EmbeddedChannel ch = new EmbeddedChannel(new Http1ClientCodec(plainHeads));
    for (HttpMethod method : methods) {
      ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
      ReferenceCountUtil.release(ch.readOutbound());
    }
    return ch;
  }

  /**
   * Feeds {@code bytes} cut at {@code cuts} and describes what came out: each head, each body's
   * bytes joined, each end with its trailers; puts in {@code read[0]} how many heads PlainHead read.
   */
  private static List<String> decode(EmbeddedChannel ch, byte[] bytes, List<Integer> cuts, int[] read) {
    List<String> seen = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    int from = 0;
    List<Integer> ends = new ArrayList<>(cuts.stream().map(c -> Math.min(c, bytes.length)).sorted().toList());
    ends.add(bytes.length);
    for (int end : ends) {
      if (end > from && ch.isOpen()) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes, from, end - from));
        from = end;
      }
      Object o;
      while ((o = ch.readInbound()) != null) {
        try {
          describe(o, seen, body);
        } finally {
          ReferenceCountUtil.release(o);
        }
      }
    }
    Object codec = ch.pipeline().first();
    read[0] = codec instanceof Http1ServerCodec server ? server.plainReads() : ((Http1ClientCodec) codec).plainReads();
    ch.finishAndReleaseAll();
    if (body.length() > 0) {
      seen.add("body " + body);
    }
    return seen;
  }

  private static void describe(Object o, List<String> seen, StringBuilder body) {
    if (o instanceof HttpMessage message) {
      String result = message.decoderResult().isSuccess() ? "ok" : "failed: " + message.decoderResult().cause();
      if (message instanceof HttpRequest request) {
        seen.add((o instanceof FullHttpRequest ? "whole " : "request ") + request.method() + " " + request.uri() + " "
            + request.protocolVersion() + " " + headers(message) + " " + result);
      } else if (message instanceof HttpResponse response) {
        seen.add("response " + response.protocolVersion() + " " + response.status().code() + " "
            + response.status().reasonPhrase() + " " + headers(message) + " " + result);
      }
    }
    if (o instanceof HttpContent content) {
      body.append(content.content().toString(StandardCharsets.ISO_8859_1));
      if (o instanceof LastHttpContent last) {
        if (body.length() > 0) {
          seen.add("body " + body);
          body.setLength(0);
        }
        seen.add("end " + last.trailingHeaders().entries());
      }
    }
  }

  private static String headers(HttpMessage message) {
    List<String> all = new ArrayList<>();
    for (Map.Entry<String, String> e : message.headers()) {
      all.add(e.getKey() + "=" + e.getValue());
    }
    return all.toString();
  }

  private static String show(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n")
        .replace("\t", "\\t").replace("\0", "\\0");
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    // Half the time none: the whole input in one read, as most heads come.
    return Arbitraries.oneOf(Arbitraries.just(List.of()), Arbitraries.integers().between(0, 400).list().ofMaxSize(3));
  }

  @Provide
  Arbitrary<List<String>> requests() {
    Arbitrary<String> method = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of("GET", "POST", "HEAD", "DELETE", "OPTIONS", "get")),
        Tuple.of(1, Arbitraries.of("CONNECT", "G@T", "")));
    Arbitrary<String> target = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of("/", "/a?b=c", "http://x/y", "*", "/%20")),
        Tuple.of(1, Arbitraries.of("/a b", "", "/\u00e9", "/\u0001")));
    Arbitrary<String> version = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of("HTTP/1.1", "HTTP/1.0")),
        Tuple.of(1, Arbitraries.of("HTTP/2.0", "HTTP/1.2", "http/1.1", "HTTP/1.1 ")));
    Arbitrary<String> space = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(" ")), Tuple.of(1, Arbitraries.of("  ", "\t")));
    Arbitrary<String> line = Combinators.combine(method, space, target, space, version)
        .as((m, s1, t, s2, v) -> m + s1 + t + s2 + v);
    Arbitrary<String> lead = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("")), Tuple.of(1, Arbitraries.of("\r\n", " ")));
    Arbitrary<String> framing = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just("\r\n")),
        Tuple.of(2, framed()), Tuple.of(1, Combinators.combine(headerLines(true), eol(), bodies()).as((h, e, b) -> h + e + b)));
    return Combinators.combine(lead, line, eol(), headerLines(true), framing)
        .as((l, start, e1, hs, rest) -> l + start + e1 + hs + rest)
        .list().ofMinSize(1).ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<Tuple.Tuple2<HttpMethod, String>>> responses() {
    Arbitrary<HttpMethod> method = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(HttpMethod.GET, HttpMethod.POST)),
        Tuple.of(1, Arbitraries.just(HttpMethod.HEAD)));
    Arbitrary<String> status = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.of("HTTP/1.1 200 OK", "HTTP/1.0 404 Not Found", "HTTP/1.1 503 Busy Now",
            "HTTP/1.1 500 Internal Server Error", "HTTP/1.1 200 Fine")),
        Tuple.of(3, Arbitraries.of("HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified", "HTTP/1.1 100 Continue",
            "HTTP/1.1 101 Switching Protocols")),
        Tuple.of(2, Arbitraries.of("HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.1 999 Odd", "HTTP/1.1 2000 OK",
            "HTTP/2.0 200 OK", "HTTP/1.1  200 OK", "HTTP/1.1 500 Trailing\t", "HTTP/1.1 201 \u00e9t\u00e9")));
    Arbitrary<String> framing = Arbitraries.frequencyOf(Tuple.of(6, framed()), Tuple.of(1, Arbitraries.just("\r\n")),
        Tuple.of(1, Combinators.combine(headerLines(false), eol(), bodies()).as((h, e, b) -> h + e + b)));
    Arbitrary<String> exchange = Combinators.combine(status, eol(), headerLines(false), framing)
        .as((s, e1, hs, rest) -> s + e1 + hs + rest);
    return Combinators.combine(method, exchange).as(Tuple::of).list().ofMinSize(1).ofMaxSize(3);
  }

  private static Arbitrary<String> eol() {
    return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just("\r\n")), Tuple.of(1, Arbitraries.of("\n", "\r")));
  }

  private static Arbitrary<String> headerLines(boolean request) {
    Arbitrary<String> name = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.of("Host", "host", "X-A", "x-b", "Accept", request ? "Cookie" : "Server")),
        Tuple.of(1, Arbitraries.of("Content-Length", "content-length", "Transfer-Encoding", "Upgrade")),
        Tuple.of(1, Arbitraries.of("Bad Name", "", "X-\u00e9", "X:Y")));
    Arbitrary<String> colon = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.of(": ", ":", ":\t", ":  ")),
        Tuple.of(1, Arbitraries.just(" :")));
    Arbitrary<String> value = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.of("x", " x ", "", "0", "3", "5", "10", "a\tb", "v ", "  v\t", "h2c", "chunked")),
        Tuple.of(1, Arbitraries.of("gzip, chunked", "a\u0000b", "\u00ff", "12a", "+3", "a\u007fb")),
        // Longer than the first window PlainHead copies, plain or not: the window grows.
        Tuple.of(1, Arbitraries.of("L".repeat(700), "\u00e9" + "L".repeat(700), "L".repeat(2100))));
    Arbitrary<String> header = Combinators.combine(name, colon, value, eol()).as((n, c, v, e) -> n + c + v + e);
    Arbitrary<String> fold = Arbitraries.of(" folded\r\n");
    return Arbitraries.frequencyOf(Tuple.of(20, header), Tuple.of(1, fold)).list().ofMaxSize(4)
        .map(lines -> String.join("", lines));
  }

  /** The end of a head with its framing header, and a body framed by it (sometimes cut short). */
  private static Arbitrary<String> framed() {
    Arbitrary<String> body = Arbitraries.strings().withChars("abcxyz\r\n\0\u00ff").ofMaxLength(40);
    Arbitrary<String> byLength = Combinators.combine(Arbitraries.of("Content-Length: ", "content-length:", "Content-Length:\t"),
        body, Arbitraries.integers().between(0, 3)).as((h, b, shortBy) ->
            h + b.length() + "\r\n\r\n" + b.substring(0, Math.max(0, b.length() - (shortBy == 3 ? 1 : 0))));
    Arbitrary<String> chunked = body.map(b -> "Transfer-Encoding: chunked\r\n\r\n"
        + (b.isEmpty() ? "" : Integer.toHexString(b.length()) + "\r\n" + b + "\r\n") + "0\r\n\r\n");
    return Arbitraries.frequencyOf(Tuple.of(5, byLength), Tuple.of(1, chunked));
  }

  private static Arbitrary<String> bodies() {
    return Arbitraries.of("", "", "abc", "hello", "3\r\nabc\r\n0\r\n\r\n", "0\r\n\r\n", "5\r\nab");
  }
}
