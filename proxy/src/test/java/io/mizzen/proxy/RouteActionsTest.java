package io.mizzen.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.access.ResponseFlag;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every route action and match field of a VirtualService's http[] over real sockets. */
class RouteActionsTest {
  private Fixture f;
  private Mesh mesh;
  private final LinkedBlockingQueue<String> shadowSeen = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.start(f.options().withSourceLabels(Map.of("app", "frontend")));
    HttpServer echo = f.upstream(req -> req.body().onSuccess(b -> req.response()
        .putHeader("x-upstream-drop", "1")
        .end("web " + req.method() + " " + req.uri() + " host=" + req.getHeader("host")
            + " a=" + req.getHeader("x-a") + " b=" + req.headers().getAll("x-b") + " gone=" + req.getHeader("x-gone")
            + " dest=" + req.getHeader("x-dest"))));
    HttpServer other = f.named("other");
    HttpServer shadow = f.upstream(req -> {
      shadowSeen.add(req.getHeader("host") + " " + req.uri());
      req.response().setStatusCode(500).end("shadow fails, nobody cares");
    });
    mesh = new Mesh(f).instance("web", "v1", echo.actualPort()).instance("other", "v1", other.actualPort())
        .instance("shadow", "v1", shadow.actualPort());
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static final String HEADER = "apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\n"
      + "metadata: {name: web}\nspec:\n  hosts: [web]\n  http:\n";

  @Test
  void matchesAreOredFieldsAndedFirstRouteWins() {
    mesh.apply(HEADER
        + "  - match:\n    - method: {exact: POST}\n      uri: {prefix: /p}\n    - queryParams: {q: {exact: go}}\n"
        + "    route: [{destination: {host: other}}]\n"
        + "  - match:\n    - uri: {regex: '/r[0-9]+'}\n      withoutHeaders: {x-skip: {exact: yes}}\n"
        + "    route: [{destination: {host: other}}]\n"
        + "  - match:\n    - uri: {exact: /CaSe}\n      ignoreUriCase: true\n      authority: {prefix: web}\n"
        + "      sourceLabels: {app: frontend}\n      port: 9080\n      scheme: {exact: http}\n"
        + "    route: [{destination: {host: other}}]\n"
        + "  - route: [{destination: {host: web}}]\n");
    assertEquals("other", served(HttpMethod.POST, "/p1", Map.of()));
    assertEquals("web", served(HttpMethod.GET, "/p1", Map.of()), "method and uri are ANDed");
    assertEquals("other", served(HttpMethod.GET, "/x?q=go", Map.of()), "the second match is ORed");
    assertEquals("other", served(HttpMethod.GET, "/r42", Map.of()));
    assertEquals("web", served(HttpMethod.GET, "/r42", Map.of("x-skip", "yes")), "withoutHeaders");
    assertEquals("web", served(HttpMethod.GET, "/r4x", Map.of()), "the regex matches the whole path");
    assertEquals("other", served(HttpMethod.GET, "/case", Map.of()), "ignoreUriCase");
  }

  @Test
  void sourceLabelsMustMatch() {
    mesh.apply(HEADER + "  - match:\n    - sourceLabels: {app: backend}\n    route: [{destination: {host: other}}]\n"
        + "  - route: [{destination: {host: web}}]\n");
    assertEquals("web", served(HttpMethod.GET, "/", Map.of()));
  }

  @Test
  void rewriteReplacesTheMatchedPrefixAndAuthority() {
    mesh.apply(HEADER + "  - match: [{uri: {prefix: /old}}]\n    rewrite: {uri: /new, authority: rewritten.example}\n"
        + "    route: [{destination: {host: web}}]\n");
    Fixture.Reply r = f.get("web:9080", "/old/page?x=1");
    assertTrue(r.body().startsWith("web GET /new/page?x=1 host=rewritten.example"), r.body());
  }

  @Test
  void redirectAndDirectResponse() {
    mesh.apply(HEADER + "  - match: [{uri: {exact: /moved}}]\n    redirect: {uri: /here, authority: elsewhere, redirectCode: 302}\n"
        + "  - match: [{uri: {exact: /tea}}]\n    directResponse: {status: 418, body: {string: teapot}}\n"
        + "  - route: [{destination: {host: web}}]\n");
    Fixture.Reply moved = f.get("web:9080", "/moved");
    assertEquals(302, moved.status());
    assertEquals("http://elsewhere/here", moved.headers().get("location"));
    Fixture.Reply tea = f.get("web:9080", "/tea");
    assertEquals(418, tea.status());
    assertEquals("teapot", tea.body());
  }

  @Test
  void headerOperationsAtRouteAndDestinationLevel() {
    mesh.apply(HEADER + "  - headers:\n      request:\n        set: {x-a: set}\n        add: {x-b: added}\n        remove: [x-gone]\n"
        + "      response:\n        add: {x-resp: r}\n        remove: [x-upstream-drop]\n"
        + "    route:\n    - destination: {host: web}\n      headers:\n        request: {set: {x-dest: d}}\n"
        + "        response: {set: {x-dest-resp: dr}}\n");
    Fixture.Reply r = f.get("web:9080", "/", Map.of("x-a", "client", "x-b", "client", "x-gone", "1"));
    assertTrue(r.body().contains("a=set b=[client, added] gone=null dest=d"), r.body());
    assertEquals("r", r.headers().get("x-resp"));
    assertEquals("dr", r.headers().get("x-dest-resp"));
    assertNull(r.headers().get("x-upstream-drop"));
  }

  @Test
  void corsPreflightAndSimpleRequests() {
    mesh.apply(HEADER + "  - corsPolicy:\n      allowOrigin: [https://ok.example]\n      allowMethods: [GET, POST]\n"
        + "      allowHeaders: [x-custom]\n      maxAge: 24h\n      allowCredentials: true\n"
        + "    route: [{destination: {host: web}}]\n");
    Fixture.Reply pre = f.send(HttpMethod.OPTIONS, "web:9080", "/",
        Map.of("origin", "https://ok.example", "access-control-request-method", "POST"), null);
    assertEquals(200, pre.status());
    assertEquals("https://ok.example", pre.headers().get("access-control-allow-origin"));
    assertEquals("GET,POST", pre.headers().get("access-control-allow-methods"));
    assertEquals("86400", pre.headers().get("access-control-max-age"));
    Fixture.Reply simple = f.get("web:9080", "/", Map.of("origin", "https://ok.example"));
    assertEquals("https://ok.example", simple.headers().get("access-control-allow-origin"));
    Fixture.Reply denied = f.get("web:9080", "/", Map.of("origin", "https://evil.example"));
    assertNull(denied.headers().get("access-control-allow-origin"));
  }

  @Test
  void mirrorIsFireAndForget() throws Exception {
    mesh.apply(HEADER + "  - route: [{destination: {host: web}}]\n    mirror: {host: shadow}\n    mirrorPercentage: {value: 100}\n");
    Fixture.Reply r = f.get("web:9080", "/m");
    assertEquals(200, r.status(), "the failing mirror never touches the response");
    String seen = shadowSeen.poll(10, TimeUnit.SECONDS);
    assertEquals("web-shadow:9080 /m", seen);
  }

  @Test
  void noRouteIs404WithNr() {
    mesh.apply(HEADER + "  - match: [{uri: {prefix: /only}}]\n    route: [{destination: {host: web}}]\n");
    Fixture.Reply r = f.get("web:9080", "/elsewhere");
    assertEquals(404, r.status());
    assertTrue(r.body().contains("/elsewhere"), r.body());
    assertTrue(f.logEntry(e -> e.status() == 404).has(ResponseFlag.NR));
  }

  @Test
  void unknownHostsFollowOutboundTrafficPolicy() {
    HttpServer outside = f.named("outside");
    mesh.apply("");
    assertEquals("outside", Bookinfo.servedBy(f.get("127.0.0.1:" + outside.actualPort(), "/")), "ALLOW_ANY passes through");
    mesh.apply("apiVersion: networking.istio.io/v1alpha3\nkind: Sidecar\nmetadata: {name: default, namespace: default}\n"
        + "spec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n");
    Fixture.Reply r = f.get("127.0.0.1:" + outside.actualPort(), "/");
    assertEquals(502, r.status());
    assertEquals("web", Bookinfo.servedBy(f.get("web:9080", "/")), "registered hosts still route");
  }

  @Test
  void aServiceEntryWithResolutionNoneTheDefaultLetsItsHostsOutUnderRegistryOnly() {
    HttpServer outside = f.named("outside");
    int port = outside.actualPort();
    mesh.apply("apiVersion: networking.istio.io/v1alpha3\nkind: Sidecar\nmetadata: {name: default, namespace: default}\n"
        + "spec:\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n---\n"
        + "apiVersion: networking.istio.io/v1alpha3\nkind: ServiceEntry\nmetadata: {name: external, namespace: default}\n"
        + "spec:\n  hosts: [localhost]\n  location: MESH_EXTERNAL\n"
        + "  ports: [{number: " + port + ", name: http, protocol: HTTP}]\n");
    assertEquals("outside", Bookinfo.servedBy(f.get("localhost:" + port, "/")), "the entry's host, on its port");
    assertEquals(502, f.get("127.0.0.1:" + port, "/").status(), "a host no entry declares");
    assertEquals(502, f.get("localhost:" + (port == 65535 ? 1 : port + 1), "/").status(), "the entry's host on another port");
  }

  @Test
  void invalidSnapshotIsRejectedAndTheLastGoodOneStays() {
    mesh.apply(HEADER + "  - route: [{destination: {host: web}}]\n");
    Throwable error = null;
    try {
      mesh.apply(HEADER + "  - route: [{destination: {host: web}}]\n    retries: {attempts: 2, retryOn: 'sometimes'}\n");
    } catch (AssertionError e) {
      error = e.getCause();
    }
    assertTrue(error != null && error.getMessage().contains("spec.http[0].retries") && error.getMessage().contains("sometimes"),
        String.valueOf(error));
    assertEquals("1", f.proxy.version());
    assertEquals("web", Bookinfo.servedBy(f.get("web:9080", "/")));
  }

  private String served(HttpMethod method, String uri, Map<String, String> headers) {
    return Bookinfo.servedBy(f.send(method, "web:9080", uri, headers, null));
  }
}
