package io.mizzen.kernel.boot;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.mizzen.kernel.settings.MeshSettings;
import io.mizzen.kernel.settings.SettingsException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Vert.x, clustered through Hazelcast when the settings enable the cluster. Members join
 * over TCP on the listed addresses (or loopback), never by multicast: a mesh control plane must
 * not find strangers on the network. The event loops run on the transport the settings choose
 * ({@link #transport}).
 */
final class ClusterBoot {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBoot.class);

  private ClusterBoot() {}

  static Future<Vertx> vertx(MeshSettings settings, VertxOptions options) {
    Transport transport;
    try {
      transport = transport(settings.transport(), Transport.IO_URING);
    } catch (SettingsException e) {
      return Future.failedFuture(e);
    }
    VertxBuilder builder = Vertx.builder().with(options).withTransport(transport);
    if (!settings.cluster().enabled()) {
      return Future.succeededFuture(builder.build());
    }
    return builder
        .withClusterManager(new HazelcastClusterManager(hazelcast(settings)))
        .buildClustered();
  }

  /**
   * The transport for {@code wanted}: io_uring when asked for or, with {@code auto}, when this
   * kernel and runtime allow it; NIO otherwise. {@code ioUring} is Vert.x's io_uring transport, null
   * when its classes are not on the class path.
   *
   * @throws SettingsException when {@code io_uring} is asked for and unavailable, with the reason
   */
  static Transport transport(MeshSettings.IoTransport wanted, Transport ioUring) {
    if (wanted == MeshSettings.IoTransport.NIO) {
      return Transport.NIO;
    }
    String why = ioUring == null ? "netty-transport-native-io_uring is not on the class path"
        : ioUring.available() ? null : String.valueOf(ioUring.unavailabilityCause());
    if (why == null) {
      LOG.info("event loops on io_uring");
      return ioUring;
    }
    if (wanted == MeshSettings.IoTransport.IO_URING) {
      throw new SettingsException(java.util.List.of(
          "transport: io_uring is not available here (" + why + "); use auto or nio"));
    }
    LOG.info("event loops on Java NIO: io_uring is not available here ({})", why);
    return Transport.NIO;
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
