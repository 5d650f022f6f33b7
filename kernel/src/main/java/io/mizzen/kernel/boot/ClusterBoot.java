package io.mizzen.kernel.boot;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.mizzen.kernel.settings.MeshSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts Vert.x, clustered through Hazelcast when the settings enable the cluster. Members join
 * over TCP on the listed addresses (or loopback), never by multicast: a mesh control plane must
 * not find strangers on the network.
 */
final class ClusterBoot {
  private ClusterBoot() {}

  static Future<Vertx> vertx(MeshSettings settings, VertxOptions options) {
    if (!settings.cluster().enabled()) {
      return Future.succeededFuture(Vertx.vertx(options));
    }
    return Vertx.builder()
        .with(options)
        .withClusterManager(new HazelcastClusterManager(hazelcast(settings)))
        .buildClustered();
  }

  static Config hazelcast(MeshSettings settings) {
    MeshSettings.Cluster cluster = settings.cluster();
    Config config = new Config();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(cluster.port() == 0 ? 5701 : cluster.port())
        .setPortAutoIncrement(true);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(settings.bindAddress());
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    if (cluster.members().isEmpty()) {
      join.getTcpIpConfig().addMember(settings.bindAddress());
    } else {
      cluster.members().forEach(join.getTcpIpConfig()::addMember);
    }
    return config;
  }
}
