package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

/** Makes the fabric8 client the plugin's parts share the recipe of. */
final class KubeClients {
  private KubeClients() {}

  /**
   * A client for {@code settings}: blocking (it may read a kubeconfig file), so callers run it
   * through {@code executeBlocking}. The JDK transport is named explicitly: fabric8's default is
   * Vert.x 4, which must never meet the host's Vert.x 5, and ServiceLoader lookups across PF4J's
   * class loaders are not to be relied on.
   */
  static KubernetesClient create(KubeSettings settings) {
    Config base = settings.masterUrl() == null ? Config.autoConfigure(null)
        : new ConfigBuilder(Config.empty()).withMasterUrl(settings.masterUrl()).build();
    Config config = new ConfigBuilder(base)
        .withWatchReconnectInterval((int) settings.reconnectInterval().toMillis())
        .withWatchReconnectLimit(-1)
        .withRequestRetryBackoffInterval((int) settings.reconnectInterval().toMillis())
        .withRequestRetryBackoffLimit(3)
        .build();
    if (settings.namespace() != null) {
      config.setNamespace(settings.namespace());
    }
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory()).build();
  }
}
