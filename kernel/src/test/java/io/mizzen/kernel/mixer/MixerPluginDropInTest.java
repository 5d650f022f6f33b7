package io.mizzen.kernel.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.kernel.boot.Kernel;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.testing.TestPlugins;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.CheckRequest;
import io.mizzen.spi.mixer.CheckResult;
import io.mizzen.spi.mixer.HttpDenial;
import io.mizzen.spi.mixer.Mixer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample third-party adapter (plugin-samples/api-key) is dropped into a running control
 * plane whose config already names it: the handler that was refused as naming an unknown
 * adapter compiles once the plugin loads, and the key check is enforced.
 */
class MixerPluginDropInTest {
  @TempDir Path home;

  private static String config(String keyHash) {
    return """
        apiVersion: config.istio.io/v1alpha2
        kind: handler
        metadata: {name: keys, namespace: istio-system}
        spec:
          compiledAdapter: apikey
          params:
            keySha256: [%s]
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: instance
        metadata: {name: requestkey, namespace: istio-system}
        spec:
          compiledTemplate: listentry
          params:
            value: request.headers["x-api-key"] | ""
        ---
        apiVersion: config.istio.io/v1alpha2
        kind: rule
        metadata: {name: needkey, namespace: istio-system}
        spec:
          match: destination.service.name == "ratings"
          actions:
          - handler: keys
            instances: [requestkey]
        """.formatted(keyHash);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aDroppedInAdapterIsReferencedFromAHandlerAndEnforced() throws Exception {
    MeshSettings d = MeshSettings.defaults(home).withPorts(MeshPorts.ephemeral());
    MeshSettings settings = new MeshSettings(d.trustDomain(), d.rootNamespace(), d.pluginsDir(), d.stateDir(),
        Duration.ofMillis(100), "127.0.0.1", d.ports(), d.cluster(), Map.of("citadel", Map.of("port", 0, "host", "127.0.0.1")));
    Kernel kernel = Kernel.start(settings, Set.of(Role.CONTROL_PLANE)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("open-sesame".getBytes(StandardCharsets.UTF_8)));
      kernel.lookup(ConfigStore.class).apply(TestResources.parse(config(hash), "apikey.yaml"), List.of())
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      Mixer mixer = kernel.lookup(Mixer.class);
      assertTrue(check(mixer, "wrong").isOk(), "no apikey adapter yet: its handler is refused, nothing is enforced");

      Files.createDirectories(settings.pluginsDir());
      Files.copy(TestPlugins.folder().resolve("sample-api-key.jar"), settings.pluginsDir().resolve("sample-api-key.jar"));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      CheckResult wrong = check(mixer, "wrong");
      Object monitor = new Object();
      while (wrong.isOk() && System.nanoTime() < deadline) {
        synchronized (monitor) {
          monitor.wait(100); // bounded poll: the plugin rescan and the adapter watch have no event to wait on
        }
        wrong = check(mixer, "wrong");
      }
      assertEquals(CheckResult.UNAUTHENTICATED, wrong.statusCode(), "the dropped-in adapter enforces: " + wrong);
      assertEquals(401, HttpDenial.of(wrong).httpStatus());
      assertTrue(wrong.message().endsWith("unknown API key"), wrong.message());
      assertTrue(check(mixer, "open-sesame").isOk(), "the right key passes");
      assertEquals(CheckResult.UNAUTHENTICATED, check(mixer, null).statusCode(), "no key");
    } finally {
      kernel.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static CheckResult check(Mixer mixer, String key) throws Exception {
    AttributeBag.Builder b = AttributeBag.builder(mixer.vocabulary()).put("destination.service.name", "ratings");
    if (key != null) {
      b.put("request.headers", Map.of("x-api-key", key));
    }
    return mixer.check(CheckRequest.of(b.build())).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).effectiveStatus();
  }
}
