package io.mizzen.kernel.settings;

import io.mizzen.spi.MeshPorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code mizzen.yaml} says. Every field has a default, so an absent file means a
 * single-node mesh on loopback with Istio's ports.
 *
 * @param trustDomain the SPIFFE trust domain ({@code cluster.local})
 * @param rootNamespace the namespace whose config applies mesh-wide ({@code istio-system})
 * @param pluginsDir the folder plugin jars are loaded from, watched for drop-in ({@code plugins})
 * @param stateDir where the control plane and plugins keep state ({@code state})
 * @param pluginScanInterval how often the plugins folder is rescanned ({@code 1s}); 0 disables
 * @param bindAddress the address every listener binds ({@code 127.0.0.1})
 * @param ports the listening ports
 * @param cluster the Hazelcast cluster of control-plane replicas
 * @param pluginSettings per-extension settings, {@code plugins.settings.<name>}
 */
public record MeshSettings(
    String trustDomain,
    String rootNamespace,
    Path pluginsDir,
    Path stateDir,
    Duration pluginScanInterval,
    String bindAddress,
    MeshPorts ports,
    Cluster cluster,
    Map<String, Map<String, Object>> pluginSettings) {

  public MeshSettings {
    pluginSettings = Map.copyOf(pluginSettings);
  }

  /** The defaults, with relative folders resolved against {@code home}. */
  public static MeshSettings defaults(Path home) {
    return new MeshSettings(
        "cluster.local",
        "istio-system",
        home.resolve("plugins"),
        home.resolve("state"),
        Duration.ofSeconds(1),
        "127.0.0.1",
        MeshPorts.defaults(),
        Cluster.defaults(),
        Map.of());
  }

  /** A copy with other ports (tests bind 0). */
  public MeshSettings withPorts(MeshPorts newPorts) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval,
        bindAddress, newPorts, cluster, pluginSettings);
  }

  /** A copy with another plugins folder. */
  public MeshSettings withPluginsDir(Path dir) {
    return new MeshSettings(trustDomain, rootNamespace, dir, stateDir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings);
  }

  /** A copy with another state folder. */
  public MeshSettings withStateDir(Path dir) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, dir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings);
  }

  /**
   * The control plane's cluster.
   *
   * @param enabled whether replicas form a Hazelcast cluster (false: single member, in-memory)
   * @param name the cluster name members must share ({@code mizzen})
   * @param port the Hazelcast member port (5701; 0 picks one)
   * @param members {@code host:port} of members to join over TCP; empty means loopback discovery
   */
  public record Cluster(boolean enabled, String name, int port, List<String> members) {
    public Cluster {
      members = List.copyOf(members);
    }

    public static Cluster defaults() {
      return new Cluster(false, "mizzen", 5701, List.of());
    }
  }
}
