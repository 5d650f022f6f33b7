package io.mizzen.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mizzen.proxy.filter.RequestContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which hosts a ServiceEntry with {@code resolution: NONE} lets out under REGISTRY_ONLY, as Istio
 * matches them: a wildcard covers subdomains, not the bare domain; a listed port must match. (The
 * exact host through a real proxy and upstream: {@code RouteActionsTest}.)
 */
class PassthroughHostTest {
  private final RouteTable table = RouteTable.of("1", List.of(), RouteTable.UnknownHosts.REGISTRY_ONLY, List.of(
      new RouteTable.PassthroughHost("*.Wikipedia.org", Set.of(80, 443), "default/wikipedia"),
      new RouteTable.PassthroughHost("api.example.com", Set.of(), "default/example")));

  private int status(String authority) {
    DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request.headers().set("host", authority);
    RouteResult r = table.route(new RequestContext(request, "outbound", "http", 80, "127.0.0.1", Map.of(), Set.of("mesh")));
    return r.route() != null ? 200 : r.status();
  }

  @Test
  void wildcardAndExactHostsPassOnTheirPortsAndNothingElse() {
    assertEquals(200, status("en.wikipedia.org"), "a subdomain, port 80 by default");
    assertEquals(200, status("de.WIKIPEDIA.org:443"), "case does not matter");
    assertEquals(502, status("wikipedia.org"), "*.wikipedia.org does not cover the bare domain");
    assertEquals(502, status("en.wikipedia.org:8080"), "a port the entry does not list");
    assertEquals(502, status("en.wikipedia.org.evil.com"), "a suffix elsewhere is not the domain");
    assertEquals(200, status("api.example.com:9999"), "an entry without ports allows any");
    assertEquals(502, status("www.example.com"));
    assertEquals(400, status("api.example.com:port"), "a bad port is named, not refused as unknown");
  }
}
