package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated HTTP/2 (h2c with prior knowledge) thrown at a real sidecar inbound listener
 * in front of a real upstream: requests as HPACK-encoded HEADERS (and DATA) frames among random
 * frames of every type, flags and stream id, with bytes edited or cut. Whatever arrives, the
 * proxy answers with well-formed frames (or HTTP/1.x, when the preface itself was spoiled) and
 * ends the connection within its idle timeout; no response status is a 500, 502, 503 or 504 of
 * its making (the upstream is healthy); every request the upstream answers is accounted for to
 * the client (response HEADERS, a reset of its stream, or a GOAWAY); a plain HTTP/1.1 request is
 * served after every case; and a bodyless request (one HEADERS frame) is served as such.
 */
class Http2FuzzPropertyTest {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static Fixture f;
  private static CountingUpstream up;
  private static int inbound;

  @BeforeContainer
  static void start() {
    f = new Fixture();
    up = new CountingUpstream(f);
    f.start(f.options().withInbound(0, up.server.actualPort()).withIdleTimeout(Duration.ofMillis(300)));
    inbound = f.proxy.inboundPort();
  }

  @AfterContainer
  static void stop() {
    f.close();
  }

  @Example
  void theUnmutatedRequestIsServed() throws Exception {
    byte[] request = concat(PREFACE, frame(4, 0, 0, new byte[0]), headers(1, true, "GET", "/plain"));
    List<Integer> statuses = check(request);
    assertEquals(List.of(200), statuses, "the base case the mutations start from is served");
  }

  @Property(tries = 200)
  void mutatedHttp2IsAnsweredWithFramesAndEnds(@ForAll("conversations") byte[] input) throws Exception {
    check(input);
  }

  /** @return the :status of every response HEADERS the proxy sent */
  private static List<Integer> check(byte[] input) throws Exception {
    up.quiet(f.proxy);
    int before = up.completed.get();
    byte[] answer = RawExchange.send(inbound, input, 5_000);
    String shown = RawExchange.show("sent", input) + "\n" + RawExchange.show("answered", answer);
    assertFalse(new String(answer, StandardCharsets.ISO_8859_1).endsWith(RawExchange.TIMEOUT),
        "the proxy neither ended the connection nor stopped answering within 5 s:\n" + shown);
    List<Integer> statuses = new ArrayList<>();
    java.util.Set<Integer> accounted = new java.util.HashSet<>();
    boolean goaway = false;
    if (answer.length > 0 && !new String(answer, 0, Math.min(answer.length, 5), StandardCharsets.ISO_8859_1).startsWith("HTTP/")) {
      ByteBuffer in = ByteBuffer.wrap(answer);
      DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
      boolean first = true;
      while (in.remaining() >= 9) {
        int length = (in.get() & 0xff) << 16 | (in.get() & 0xff) << 8 | (in.get() & 0xff);
        int type = in.get() & 0xff;
        int flags = in.get() & 0xff;
        int stream = in.getInt() & 0x7fffffff;
        if (first) {
          assertEquals(4, type, "the server's preface is a SETTINGS frame:\n" + shown);
          first = false;
        }
        if (length > in.remaining()) {
          break; // cut by the close: the frames before it were whole
        }
        byte[] payload = new byte[length];
        in.get(payload);
        if (type == 1 && stream != 0) {
          accounted.add(stream);
          statuses.add(status(hpack, stream, flags, payload, shown));
        } else if (type == 3) {
          accounted.add(stream);
        } else if (type == 7) {
          goaway = true;
        }
      }
      assertEquals(0, in.remaining() > 0 && in.remaining() < 9 ? in.remaining() : 0,
          "a frame header cut short:\n" + shown);
    }
    for (int status : statuses) {
      assertFalse(status >= 500 && status != 501 && status != 505, "status " + status + " for client input:\n" + shown);
    }
    up.quiet(f.proxy);
    // Each request the upstream answered is accounted for to the client: its stream got response
    // HEADERS, or was reset (the client broke the protocol on it later: a second HEADERS, DATA
    // after its end), or the whole connection was ended by a GOAWAY (a connection error loses
    // the streams in flight, as RFC 9113 allows)
    // (or the client reset that stream itself).
    accounted.addAll(resetByClient(input));
    int upstreamAnswered = up.completed.get() - before;
    assertTrue(goaway || upstreamAnswered <= Math.max(accounted.size(), countStatusLines(answer)),
        "the upstream answered " + upstreamAnswered + " request(s) but the client heard of " + accounted.size()
            + " stream(s):\n" + shown);
    String plain = RawExchange.text(inbound, "GET /still HTTP/1.1\r\nHost: ratings\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII), 5_000);
    assertTrue(plain.startsWith("HTTP/1.1 200 ") && plain.endsWith("fine 0"), "the proxy stopped serving: " + plain);
    return statuses;
  }

  private static int status(DefaultHttp2HeadersDecoder hpack, int stream, int flags, byte[] payload, String shown) {
    int from = 0;
    int to = payload.length;
    if ((flags & 0x8) != 0) { // PADDED
      to -= payload[0] & 0xff;
      from = 1;
    }
    if ((flags & 0x20) != 0) { // PRIORITY
      from += 5;
    }
    ByteBuf block = Unpooled.wrappedBuffer(payload, from, Math.max(0, to - from));
    try {
      Http2Headers h = hpack.decodeHeaders(stream, block);
      CharSequence status = h.status();
      // Trailers (no :status) end a response already counted.
      return status == null ? 0 : Integer.parseInt(status.toString());
    } catch (Exception e) {
      fail("the proxy sent a HEADERS block that does not decode (" + e + "):\n" + shown);
      return -1;
    } finally {
      block.release();
    }
  }

  /** The streams the client's own RST_STREAM frames name, read as far as its frames are whole. */
  private static java.util.Set<Integer> resetByClient(byte[] input) {
    java.util.Set<Integer> reset = new java.util.HashSet<>();
    ByteBuffer in = ByteBuffer.wrap(input);
    in.position(Math.min(input.length, PREFACE.length));
    while (in.remaining() >= 9) {
      int length = (in.get() & 0xff) << 16 | (in.get() & 0xff) << 8 | (in.get() & 0xff);
      int type = in.get() & 0xff;
      in.get();
      int stream = in.getInt() & 0x7fffffff;
      if (length > in.remaining()) {
        break;
      }
      in.position(in.position() + length);
      if (type == 3) {
        reset.add(stream);
      }
    }
    return reset;
  }

  private static int countStatusLines(byte[] answer) {
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    int n = 0;
    for (int i = text.indexOf("HTTP/1.1 "); i >= 0; i = text.indexOf("HTTP/1.1 ", i + 1)) {
      n++;
    }
    return n;
  }

  static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
    b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
    return b.array();
  }

  static byte[] headers(int stream, boolean endStream, String method, String path) {
    DefaultHttp2Headers h = new DefaultHttp2Headers(false);
    h.method(method).scheme("http").path(path).authority("ratings");
    ByteBuf block = Unpooled.buffer();
    try {
      new DefaultHttp2HeadersEncoder().encodeHeaders(stream, h, block);
      byte[] bytes = new byte[block.readableBytes()];
      block.readBytes(bytes);
      return frame(1, 0x4 | (endStream ? 0x1 : 0), stream, bytes);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      block.release();
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  @Provide
  Arbitrary<byte[]> conversations() {
    Arbitrary<byte[]> request = Combinators.combine(Arbitraries.integers().between(0, 4).map(i -> 2 * i + 1),
        Arbitraries.of("GET", "POST", "HEAD", "CONNECT", "g e t", ""), Arbitraries.of("/", "/a?b=c", "", "*", "no-slash", "/%zz"),
        Arbitraries.strings().ascii().ofMaxLength(30))
        .as((stream, method, path, body) -> body.isEmpty() || method.equals("GET")
            ? headers(stream, true, method, path)
            : concat(headers(stream, false, method, path), frame(0, 0x1, stream, body.getBytes(StandardCharsets.ISO_8859_1))));
    Arbitrary<byte[]> random = Combinators.combine(Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 255),
        Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(0, 9)), Tuple.of(1, Arbitraries.integers().between(0, Integer.MAX_VALUE))),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
        .as(Http2FuzzPropertyTest::frame);
    Arbitrary<byte[]> frames = Arbitraries.frequencyOf(Tuple.of(2, request), Tuple.of(1, random)).list().ofMinSize(1).ofMaxSize(5)
        .map(l -> concat(l.toArray(byte[][]::new)));
    return Combinators.combine(frames, RequestFuzzPropertyTest.mutation().list().ofMaxSize(2), Arbitraries.integers().between(0, 9))
        .as((body, edits, spoilPreface) -> {
          for (RequestFuzzPropertyTest.Mutation edit : edits) {
            body = edit.apply(body);
          }
          byte[] preface = spoilPreface == 0 ? new RequestFuzzPropertyTest.Mutation(2, 0.5, 1, (byte) 'x').apply(PREFACE) : PREFACE;
          return concat(preface, frame(4, 0, 0, new byte[0]), body);
        });
  }
}
