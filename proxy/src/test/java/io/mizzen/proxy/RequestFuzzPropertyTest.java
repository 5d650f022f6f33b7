package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated HTTP/1.1 thrown at a real sidecar inbound listener in front of a real
 * upstream, over real sockets: whatever the bytes, the proxy answers with well-formed HTTP/1.1
 * status lines (never a 5xx of its own making: the upstream is healthy, so a 500, 502, 503 or 504
 * would mean the proxy broke on the input or forwarded something it should have refused) or
 * closes, within its idle timeout; every request the upstream receives whole comes back to the
 * client as exactly one response (nothing smuggled past the proxy's parser, nothing answered twice,
 * nothing lost); and a plain request on a fresh connection is served after every case. Netty's
 * paranoid leak detection is on for the whole suite (the parent pom's argLine).
 */
class RequestFuzzPropertyTest {
  /** A status line; a response's begins right after the body before it, so not only at a line start. */
  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");
  private static final String MARK = "\r\nx-upstream: 1\r\n";
  private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");
  private static final List<String> NAMES = List.of("Content-Length", "Transfer-Encoding", "Connection", "Expect",
      "Upgrade", "TE", "Trailer", "Host", "X-Forwarded-For", "x-request-id", "traceparent", "Cookie", "Keep-Alive",
      "Proxy-Connection", "x-b3-traceid", "Content-Type", "Accept", "x");
  private static final List<String> VALUES = List.of("chunked", "close", "keep-alive", "100-continue", "websocket",
      "gzip, chunked", "identity", "0", "5", "-1", "18446744073709551616", "", " ", "a,b", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      "127.0.0.1", "ratings:9080", "trailers", "text/plain", "*/*");

  private static Fixture f;
  private static CountingUpstream up;
  private static int inbound;

  @BeforeContainer
  static void start() {
    f = new Fixture();
    up = new CountingUpstream(f);
    // A short idle timeout: a case the proxy waits on (a head or body left unfinished, a
    // keep-alive connection) ends in a fifth of a second.
    f.start(f.options().withInbound(0, up.server.actualPort()).withIdleTimeout(Duration.ofMillis(200)));
    inbound = f.proxy.inboundPort();
  }

  @AfterContainer
  static void stop() {
    f.close();
  }

  @Property(tries = 300)
  void mutatedRequestsAreAnsweredOrClosedAndNothingIsSmuggled(@ForAll("mutated") byte[] input) throws Exception {
    check(input);
  }

  @Property(tries = 100)
  void randomBytesAreAnsweredOrClosed(@ForAll("noise") byte[] input) throws Exception {
    check(input);
  }

  private static void check(byte[] input) throws Exception {
    up.quiet(f.proxy);
    int before = up.completed.get();
    String answer = RawExchange.text(inbound, input, 5_000);
    String shown = RawExchange.show("sent", input) + "\n--- answered ---\n" + answer.substring(0, Math.min(answer.length(), 2000));
    assertFalse(answer.endsWith(RawExchange.TIMEOUT), "the proxy neither answered nor closed within 5 s:\n" + shown);
    if (!answer.isEmpty()) {
      assertTrue(STATUS.matcher(answer).lookingAt(), "not an HTTP/1.x status line:\n" + shown);
    }
    int responses = 0;
    Matcher m = STATUS.matcher(answer);
    while (m.find()) {
      int status = Integer.parseInt(m.group(1));
      if (status == 101) {
        break; // what follows is another protocol's bytes
      }
      assertFalse(status >= 500 && status != 501 && status != 505, "status " + status + " for client input:\n" + shown);
      responses++;
    }
    up.quiet(f.proxy);
    int marked = count(answer, MARK);
    assertEquals(up.completed.get() - before, marked,
        "requests the upstream received whole vs. its responses the client got:\n" + shown);
    assertTrue(marked <= responses, marked + " responses from the upstream among " + responses + ":\n" + shown);
    stillServes();
  }

  /** A plain request through the same listener, on a fresh connection. */
  private static void stillServes() throws Exception {
    String answer = RawExchange.text(inbound, "GET /still HTTP/1.1\r\nHost: ratings\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 5_000);
    assertTrue(answer.startsWith("HTTP/1.1 200 "), "the proxy stopped serving: " + answer);
    assertTrue(answer.endsWith("fine 0"), answer);
  }

  private static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  @Provide
  Arbitrary<byte[]> noise() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<String> request = request();
    Arbitrary<String> messages = request.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join("", l));
    return Combinators.combine(messages, mutation().list().ofMaxSize(3)).as((text, edits) -> {
      byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
      for (Mutation edit : edits) {
        bytes = edit.apply(bytes);
      }
      return bytes;
    });
  }

  private static Arbitrary<String> request() {
    Arbitrary<String> method = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.of(METHODS)),
        Tuple.of(1, Arbitraries.strings().withChars("GETPOSXz-_ /:\t").ofMinLength(0).ofMaxLength(8)));
    Arbitrary<String> path = Arbitraries.strings().withChars("abc/%?=&#.-_~:@ \t\u00e9").ofMaxLength(30).map(p -> "/" + p);
    Arbitrary<String> version = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("HTTP/1.1")),
        Tuple.of(2, Arbitraries.just("HTTP/1.0")), Tuple.of(1, Arbitraries.of("HTTP/2.0", "HTTP/1.2", "http/1.1", "HTTP/1", "")));
    Arbitrary<String> header = Combinators.combine(
        Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(NAMES)),
            Tuple.of(1, Arbitraries.strings().withChars("abcXY-_: \t()").ofMaxLength(12))),
        Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(VALUES)),
            Tuple.of(2, Arbitraries.strings().withChars("abc019 ,;=\"\t\u0000\u007f\u00ff").ofMaxLength(20)),
            Tuple.of(1, Arbitraries.just("v".repeat(70 * 1024)))))
        .as((n, v) -> n + ": " + v + "\r\n");
    Arbitrary<String> body = Arbitraries.oneOf(
        Arbitraries.just(""),
        Arbitraries.strings().ascii().ofMaxLength(40).map(b -> "Content-Length: " + b.length() + "\r\n\r\n" + b),
        chunked().map(b -> "Transfer-Encoding: chunked\r\n\r\n" + b),
        chunked().map(b -> "Content-Length: " + b.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + b));
    Arbitrary<Boolean> close = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.just(true)), Tuple.of(1, Arbitraries.just(false)));
    return Combinators.combine(method, path, version, header.list().ofMaxSize(4), close, body)
        .as((m, p, v, hs, c, b) -> {
          String head = m + " " + p + " " + v + "\r\nHost: ratings\r\n" + String.join("", hs) + (c ? "Connection: close\r\n" : "");
          return b.isEmpty() ? head + "\r\n" : head + b;
        });
  }

  private static Arbitrary<String> chunked() {
    Arbitrary<String> chunk = Combinators.combine(Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(20),
        Arbitraries.of("", ";ext=1", ";x", " "))
        .as((data, ext) -> Integer.toHexString(data.length()) + ext + "\r\n" + data + "\r\n");
    Arbitrary<String> trailers = Arbitraries.of("", "x-trailer: 1\r\n", "grpc-status: 0\r\n");
    return Combinators.combine(chunk.list().ofMaxSize(3), trailers)
        .as((chunks, t) -> String.join("", chunks) + "0\r\n" + t + "\r\n");
  }

  /** One edit of the bytes: where it lands and what it does are both drawn. */
  record Mutation(int kind, double at, int length, byte value) {
    byte[] apply(byte[] in) {
      int pos = (int) (at * in.length);
      List<Byte> out = new ArrayList<>(in.length + 8);
      for (byte b : in) {
        out.add(b);
      }
      switch (kind) {
        case 0 -> out.add(pos, value); // insert a byte
        case 1 -> { // delete a run
          for (int i = 0; i < length && pos < out.size(); i++) {
            out.remove(pos);
          }
        }
        case 2 -> { // overwrite a byte
          if (pos < out.size()) {
            out.set(pos, value);
          }
        }
        case 3 -> { // duplicate a run
          List<Byte> run = new ArrayList<>(out.subList(pos, Math.min(out.size(), pos + length)));
          out.addAll(pos, run);
        }
        case 4 -> { // cut the rest off
          while (out.size() > pos) {
            out.remove(out.size() - 1);
          }
        }
        default -> { // a bare LF for a CRLF
          for (int i = pos; i + 1 < out.size(); i++) {
            if (out.get(i) == '\r' && out.get(i + 1) == '\n') {
              out.remove(i);
              break;
            }
          }
        }
      }
      byte[] bytes = new byte[out.size()];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = out.get(i);
      }
      return bytes;
    }
  }

  /** Byte edits, shared with {@link UpstreamFuzzPropertyTest}. */
  static Arbitrary<Mutation> mutation() {
    Arbitrary<Byte> value = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.of((byte) '\r', (byte) '\n', (byte) ' ', (byte) ':', (byte) 0, (byte) '\t', (byte) 0x7f,
            (byte) 0xff, (byte) '0', (byte) 'a', (byte) ';', (byte) ',')),
        Tuple.of(1, Arbitraries.bytes()));
    return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.doubles().between(0, 1),
        Arbitraries.integers().between(1, 12), value).as(Mutation::new);
  }
}
