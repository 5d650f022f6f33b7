package io.mizzen.proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatHeaders} against Netty's {@code DefaultHttpHeaders} with its default validation: the
 * same operations in the same order leave the same headers, in the same order, read the same
 * way; and what Netty refuses (a value that would end its line early, a name that is no token, a
 * trailer that reframes the body) is refused, leaving the headers as they were (Netty's own set
 * drops a name's old values before it refuses the new one).
 */
class FlatHeadersTest {

  @Property(tries = 500)
  void behavesAsNettysHeaders(@ForAll("operations") List<String[]> operations) {
    HttpHeaders flat = FlatHeaders.HEADERS.newHeaders();
    HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    List<String[]> kept = new ArrayList<>();
    List<String> flatSeen = new ArrayList<>();
    List<String> nettySeen = new ArrayList<>();
    for (String[] op : operations) {
      flatSeen.add(apply(flat, op));
      // Netty's set removes the old values before it checks the new ones, so a refused set
      // loses them; FlatHeaders checks first and keeps them: the oracle is Netty's headers
      // with a refused operation undone (the operations it took replayed on new headers: its
      // copy() does not keep the validation).
      HttpHeaders probe = DefaultHttpHeadersFactory.headersFactory().newHeaders();
      kept.forEach(done -> apply(probe, done));
      String result = apply(probe, op);
      nettySeen.add(result);
      if (!result.endsWith("Exception")) {
        kept.add(op);
        netty = probe;
      }
    }
    assertEquals(nettySeen, flatSeen);
    assertEquals(netty.entries().toString(), flat.entries().toString());
    assertEquals(netty.copy().entries().toString(), flat.copy().entries().toString());
  }

  @Test
  void refusesWhatWouldEndALineOrIsNoToken() {
    HttpHeaders headers = FlatHeaders.HEADERS.newHeaders();
    for (String value : List.of("a\r\nX-Injected: 1", "a\nb", "a\rb", "a\0b")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> headers.set("x-a", value));
      assertEquals(true, e.getMessage().contains("prohibited character"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> headers.add("x-a", value));
    }
    for (String name : List.of("bad name", "x:y", "x\r\ny", "")) {
      assertThrows(IllegalArgumentException.class, () -> headers.add(name, "v"));
    }
    assertEquals(0, headers.size(), "nothing refused was kept");
    HttpHeaders trailers = FlatHeaders.TRAILERS.newHeaders();
    for (String name : List.of("Content-Length", "transfer-encoding", "Trailer")) {
      assertThrows(IllegalArgumentException.class, () -> trailers.add(name, "1"));
    }
    trailers.add("grpc-status", "0");
    assertEquals("0", trailers.get("Grpc-Status"));
  }

  /** One operation, and what it returned or threw, as text. */
  private static String apply(HttpHeaders h, String[] op) {
    String name = op[1];
    String value = op[2];
    try {
      return switch (op[0]) {
        case "add" -> {
          h.add(name, value);
          yield "added";
        }
        case "addAscii" -> {
          h.add(new AsciiString(name), new AsciiString(value));
          yield "added";
        }
        case "set" -> {
          h.set(name, value);
          yield "set";
        }
        case "setAll" -> {
          h.set(name, List.of(value, value + "2"));
          yield "set";
        }
        case "remove" -> {
          h.remove(name);
          yield "removed";
        }
        case "get" -> String.valueOf(h.get(name));
        case "getAll" -> h.getAll(name).toString();
        case "contains" -> String.valueOf(h.contains(name));
        case "containsValue" -> h.contains(name, value, true) + " " + h.contains(name, value, false) + " "
            + h.containsValue(name, value, true);
        case "getInt" -> String.valueOf(h.getInt(name));
        case "size" -> h.size() + " " + h.isEmpty() + " " + new java.util.LinkedHashSet<>(h.names());
        default -> {
          List<String> all = new ArrayList<>();
          for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) h::iteratorCharSequence) {
            all.add(e.getKey() + "=" + e.getValue());
          }
          yield all.toString();
        }
      };
    } catch (IllegalArgumentException | NullPointerException e) {
      return e.getClass().getSimpleName();
    }
  }

  @Provide
  Arbitrary<List<String[]>> operations() {
    Arbitrary<String> kind = Arbitraries.of("add", "add", "addAscii", "set", "setAll", "remove", "get", "getAll",
        "contains", "containsValue", "getInt", "size", "iterate");
    Arbitrary<String> name = Arbitraries.of("Host", "host", "HOST", "x-a", "X-A", "connection", "te", "bad name", "");
    Arbitrary<String> value = Arbitraries.of("v", "V", "", "7", "keep-alive, close", "a\r\nb", "a\0b", " x ", "a\tb");
    return Combinators.combine(kind, name, value).as((k, n, v) -> new String[] {k, n, v}).list().ofMaxSize(12);
  }
}
