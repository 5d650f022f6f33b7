package io.mizzen.plugins.listchecker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeValues;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.Instance;
import io.mizzen.spi.mixer.MixerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ListcheckerAdapterTest {
  private final ListcheckerAdapter adapter = new ListcheckerAdapter();

  /** The host's context, reduced to what this adapter uses. */
  static MeshContext context(Vertx vertx) {
    return new MeshContext() {
      public Vertx vertx() { return vertx; }
      public <T> Future<T> executeBlocking(Callable<T> task) { return vertx.executeBlocking(task); }
      public String trustDomain() { return "cluster.local"; }
      public String rootNamespace() { return "istio-system"; }
      public Path stateDir() { throw new UnsupportedOperationException("no state here"); }
      public Role role() { return Role.CONTROL_PLANE; }
      public Map<String, Object> settings(String name) { return Map.of(); }
      public <T> List<T> extensions(Class<T> point) { return List.of(); }
      public <T> T lookup(Class<T> type) { return null; }
      public <T> void publish(Class<T> type, T service) { }
    };
  }

  private static Instance entry(Object value) {
    return new Instance("appversion.listentry.istio-system", "listentry", Map.of("value", value));
  }

  private CheckResult check(Vertx vertx, Map<String, Object> params, Object value) {
    assertEquals(List.of(), adapter.validate(params));
    MixerAdapter.Handler h = adapter.build(params, context(vertx)).result();
    return h.check(entry(value)).result();
  }

  @Test
  void whitelistOfVersions(Vertx vertx) {
    Map<String, Object> params = Map.of("overrides", List.of("v1", "v2"), "blacklist", false);
    assertTrue(check(vertx, params, "v1").isOk());
    CheckResult v3 = check(vertx, params, "v3");
    assertEquals(CheckResult.NOT_FOUND, v3.statusCode());
    assertEquals("v3 is not whitelisted", v3.message());
  }

  @Test
  void blacklistOfCaseInsensitiveNames(Vertx vertx) {
    Map<String, Object> params = Map.of("overrides", List.of("John"), "blacklist", true, "entryType", "CASE_INSENSITIVE_STRINGS");
    CheckResult john = check(vertx, params, "JOHN");
    assertEquals(CheckResult.PERMISSION_DENIED, john.statusCode());
    assertEquals("JOHN is blacklisted", john.message());
    assertTrue(check(vertx, params, "jane").isOk());
  }

  @Test
  void ipAddressesWithCidr(Vertx vertx) {
    Map<String, Object> params = Map.of("overrides", List.of("10.57.0.0/16", "192.168.1.7", "fd00::/8"), "entryType", "IP_ADDRESSES");
    assertTrue(check(vertx, params, AttributeValues.ipAddress("10.57.200.3")).isOk());
    assertTrue(check(vertx, params, "192.168.1.7").isOk());
    assertTrue(check(vertx, params, AttributeValues.ipAddress("fd12::1")).isOk());
    assertEquals(CheckResult.NOT_FOUND, check(vertx, params, AttributeValues.ipAddress("10.58.0.1")).statusCode());
    assertEquals(CheckResult.NOT_FOUND, check(vertx, params, "not-an-ip").statusCode());
  }

  @Test
  void regexEntriesMatchWholeValues(Vertx vertx) {
    Map<String, Object> params = Map.of("overrides", List.of("v[12]", "canary-.*"), "entryType", "REGEX");
    assertTrue(check(vertx, params, "canary-7").isOk());
    assertTrue(check(vertx, params, "v2").isOk());
    assertEquals(CheckResult.NOT_FOUND, check(vertx, params, "v22").statusCode());
  }

  @Test
  void badParamsAreReportedByField() {
    List<ConfigError> errors = adapter.validate(Map.of("overrides", List.of("10.0.0.0/40"), "entryType", "IP_ADDRESSES",
        "providerUrl", "ftp://x", "blaklist", true, "ttl", "forever"));
    List<String> fields = errors.stream().map(ConfigError::field).toList();
    assertTrue(fields.containsAll(List.of("overrides", "providerUrl", "blaklist", "ttl")), errors.toString());
    assertTrue(adapter.validate(Map.of("entryType", "WORDS")).get(0).message().contains("STRINGS"));
  }

  @Test
  void providerListIsFetchedAndRefreshed(Vertx vertx, VertxTestContext ctx) {
    AtomicReference<String> served = new AtomicReference<>("# versions\nv1\n\nv2\n");
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response().end(served.get()));
    server.listen(0, "127.0.0.1").compose(s -> {
      Map<String, Object> params = Map.of("providerUrl", "http://127.0.0.1:" + s.actualPort() + "/list",
          "refreshInterval", "50ms", "overrides", List.of("v9"));
      assertEquals(List.of(), adapter.validate(params));
      return adapter.build(params, context(vertx));
    }).compose(h -> {
      ctx.verify(() -> {
        assertTrue(h.check(entry("v2")).result().isOk());
        assertTrue(h.check(entry("v9")).result().isOk(), "overrides stay in the list");
        assertEquals(CheckResult.NOT_FOUND, h.check(entry("v3")).result().statusCode());
      });
      served.set("[\"v3\"]");
      long deadline = System.currentTimeMillis() + 5000;
      vertx.setPeriodic(20, id -> {
        boolean refreshed = h.check(entry("v3")).result().isOk();
        if (refreshed || System.currentTimeMillis() > deadline) {
          vertx.cancelTimer(id);
          ctx.verify(() -> {
            assertTrue(refreshed, "v3 appears after a refresh");
            assertEquals(CheckResult.NOT_FOUND, h.check(entry("v1")).result().statusCode());
          });
          h.close().compose(v -> server.close()).onComplete(ctx.succeedingThenComplete());
        }
      });
      return Future.succeededFuture();
    }).onFailure(ctx::failNow);
  }

  @Test
  void unreachableProviderFailsTheBuild(Vertx vertx, VertxTestContext ctx) {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.response().setStatusCode(500).end());
    server.listen(0, "127.0.0.1")
        .compose(s -> adapter.build(Map.of("providerUrl", "http://127.0.0.1:" + s.actualPort() + "/"), context(vertx)))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertTrue(e.getMessage().contains("answered 500"), e.getMessage());
          server.close().onComplete(ctx.succeedingThenComplete());
        })));
  }
}
