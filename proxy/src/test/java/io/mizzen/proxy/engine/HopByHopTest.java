package io.mizzen.proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link HopByHop} strips the same headers from {@link FlatHeaders} (one scan, when Connection
 * names nothing but keep-alive or close) as from Netty's headers (the general way): each TE line
 * but {@code trailers} goes, whatever the others say.
 */
class HopByHopTest {

  @Property(tries = 500)
  void stripsFlatHeadersAsItStripsNettys(@ForAll("headers") List<String[]> headers) {
    HttpHeaders flat = FlatHeaders.HEADERS.newHeaders();
    HttpHeaders netty = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    for (String[] h : headers) {
      flat.add(h[0], h[1]);
      netty.add(h[0], h[1]);
    }
    HopByHop.strip(flat);
    HopByHop.strip(netty);
    assertEquals(sorted(netty), sorted(flat));
  }

  /** Every header as name=value, sorted, names in lower case (the general way puts a kept TE back at the end, as "te"). */
  private static List<String> sorted(HttpHeaders h) {
    return h.entries().stream().map(e -> e.getKey().toLowerCase(java.util.Locale.ROOT) + "=" + e.getValue()).sorted().toList();
  }

  @Test
  void keepsTrailersAndEndToEndHeaders() {
    HttpHeaders h = FlatHeaders.HEADERS.newHeaders();
    h.add("Connection", "keep-alive").add("Keep-Alive", "timeout=5").add("TE", "trailers").add("Upgrade", "h2c")
        .add("Proxy-Connection", "close").add("x-a", "1");
    HopByHop.strip(h);
    assertEquals("[TE=trailers, x-a=1]", h.entries().toString());
  }

  @Provide
  Arbitrary<List<String[]>> headers() {
    Arbitrary<String> name = Arbitraries.of("Connection", "connection", "Keep-Alive", "Proxy-Connection", "Upgrade",
        "TE", "te", "x-a", "X-B", "Host", "Trailer");
    Arbitrary<String> value = Arbitraries.of("keep-alive", "close", "Close", "x-a", "keep-alive, x-b", "trailers",
        "Trailers", "gzip", "h2c", "1", "");
    return Combinators.combine(name, value).as((n, v) -> new String[] {n, v}).list().ofMaxSize(6);
  }
}
