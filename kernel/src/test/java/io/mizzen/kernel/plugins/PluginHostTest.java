package io.mizzen.kernel.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.KernelHarness;
import io.mizzen.kernel.testing.Conditions;
import io.mizzen.kernel.testing.TestPlugins;
import io.mizzen.spi.filter.HttpFilter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin host with real jars built by the reactor, loaded by a real kernel from a folder,
 * observed through the real admin server.
 */
class PluginHostTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path home;

  private Path pluginsDir() throws Exception {
    return Files.createDirectories(home.resolve("plugins"));
  }

  @Test
  void loadsTheSamplePluginFromAFolder() throws Exception {
    Files.copy(TestPlugins.headerStamp(), pluginsDir().resolve("header-stamp.jar"));
    try (KernelHarness k = KernelHarness.start(home)) {
      List<LoadedPlugin> loaded = k.kernel().plugins().loaded();
      assertEquals(1, loaded.size(), "loaded: " + loaded + ", refused: " + k.kernel().plugins().refused());
      assertEquals("header-stamp", loaded.get(0).id());
      assertEquals("HttpFilter", loaded.get(0).extensions().get(0).point());
      List<HttpFilter> filters = k.kernel().plugins().extensions(HttpFilter.class);
      assertEquals(1, filters.size());
      // It is the plugin's own class, from its own class loader, and it works.
      assertEquals("header-stamp", filters.get(0).name());
      assertTrue(filters.get(0).getClass().getClassLoader() != getClass().getClassLoader());
      assertTrue(filters.get(0).validate(Map.of("header", "x-a", "value", "b")).isEmpty());
      assertEquals(1, filters.get(0).validate(Map.of("header", "bad header", "value", "b")).size());

      JsonObject json = new JsonObject(k.admin("/plugins").body());
      assertEquals("header-stamp", json.getJsonArray("loaded").getJsonObject(0).getString("id"));
      assertEquals(200, k.admin("/healthz/ready").statusCode());
    }
  }

  @Test
  void refusesBadPluginsWithTheJarAndTheReasonAndKeepsServing() throws Exception {
    Path dir = pluginsDir();
    Files.copy(TestPlugins.headerStamp(), dir.resolve("a-good.jar"));
    TestPlugins.withManifest(TestPlugins.headerStamp(), dir.resolve("b-future-spi.jar"),
        "from-the-future", ">=99.0.0");
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    Files.write(dir.resolve("c-corrupt.jar"), garbage);
    Files.copy(TestPlugins.headerStamp(), dir.resolve("d-duplicate.jar"));
    Files.copy(TestPlugins.failingFunction(), dir.resolve("e-failing.jar"));

    try (KernelHarness k = KernelHarness.start(home)) {
      Map<String, String> refused = k.kernel().plugins().refused().stream().collect(
          Collectors.toMap(r -> r.file().getFileName().toString(), PluginRefusal::reason));
      assertEquals(4, refused.size(), refused.toString());
      assertTrue(refused.get("b-future-spi.jar").contains("requires SPI >=99.0.0"),
          refused.get("b-future-spi.jar"));
      assertTrue(refused.get("c-corrupt.jar").contains("corrupt"), refused.get("c-corrupt.jar"));
      assertTrue(refused.get("d-duplicate.jar").contains("duplicate plugin id 'header-stamp'")
          && refused.get("d-duplicate.jar").contains("a-good.jar"), refused.get("d-duplicate.jar"));
      assertTrue(refused.get("e-failing.jar").contains("failed to start")
          && refused.get("e-failing.jar").contains("deliberate failure"), refused.get("e-failing.jar"));

      assertEquals(List.of("header-stamp"),
          k.kernel().plugins().loaded().stream().map(LoadedPlugin::id).toList());
      assertEquals(200, k.admin("/healthz/ready").statusCode());
      JsonArray shown = new JsonObject(k.admin("/plugins").body()).getJsonArray("refused");
      assertEquals(4, shown.size());
    }
  }

  @Test
  void hotDropInAndRemovalWithoutRestart() throws Exception {
    Path dir = pluginsDir();
    try (KernelHarness k = KernelHarness.start(home)) {
      assertTrue(k.kernel().plugins().loaded().isEmpty());

      Path jar = Files.copy(TestPlugins.headerStamp(), dir.resolve("header-stamp.jar"));
      Conditions.await("header-stamp listed on /plugins", WAIT,
          () -> body(k, "/plugins").contains("\"header-stamp\""));
      assertEquals(1, k.kernel().plugins().extensions(HttpFilter.class).size());

      Files.delete(jar);
      Conditions.await("header-stamp gone from /plugins", WAIT,
          () -> !body(k, "/plugins").contains("\"header-stamp\""));
      assertTrue(k.kernel().plugins().extensions(HttpFilter.class).isEmpty());

      // A failing function dropped in at run time is refused, and the kernel stays ready.
      Files.copy(TestPlugins.failingFunction(), dir.resolve("failing.jar"));
      Conditions.await("failing.jar refused", WAIT,
          () -> k.kernel().plugins().refused().stream()
              .anyMatch(r -> r.file().getFileName().toString().equals("failing.jar")));
      assertEquals(200, k.admin("/healthz/ready").statusCode());
      assertTrue(k.kernel().plugins().loaded().isEmpty());
    }
  }

  private static String body(KernelHarness k, String path) {
    try {
      HttpResponse<String> r = k.admin(path);
      return r.body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
