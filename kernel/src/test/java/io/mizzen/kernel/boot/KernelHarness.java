package io.mizzen.kernel.boot;

import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.spi.MeshPorts;
import io.mizzen.spi.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Boots a real kernel on ephemeral loopback ports for a test, and talks to its admin server. */
public final class KernelHarness implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Kernel kernel;

  private KernelHarness(Kernel kernel) {
    this.kernel = kernel;
  }

  /** A control-plane kernel over {@code home}/plugins, rescanning every 100 ms. */
  public static KernelHarness start(Path home) throws Exception {
    return start(home, java.util.Map.of());
  }

  /** As {@link #start(Path)}, with per-extension settings ({@code plugins.settings}). */
  public static KernelHarness start(Path home, java.util.Map<String, java.util.Map<String, Object>> plugins)
      throws Exception {
    MeshSettings settings = MeshSettings.defaults(home).withPorts(MeshPorts.ephemeral())
        .withPluginSettings(plugins);
    settings = new MeshSettings(settings.trustDomain(), settings.rootNamespace(),
        settings.pluginsDir(), settings.stateDir(), Duration.ofMillis(100), settings.bindAddress(),
        settings.ports(), settings.cluster(), settings.pluginSettings());
    return new KernelHarness(Kernel.start(settings, Set.of(Role.CONTROL_PLANE))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
  }

  public Kernel kernel() {
    return kernel;
  }

  /** GETs an admin path; returns status and body. */
  public HttpResponse<String> admin(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + kernel.adminPort() + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    kernel.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
