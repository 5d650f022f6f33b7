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
 * @param configFolder the folder the control plane watches for Istio YAML ({@code config.folder},
 *     default {@code config})
 * @param agent the data-plane agent's workload and control-plane address
 * @param transport the I/O under the event loops ({@code transport}: {@code auto}, the default, is
 *     io_uring where the kernel allows it and Java NIO elsewhere; {@code io_uring}; {@code nio})
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
    Map<String, Map<String, Object>> pluginSettings,
    Path configFolder,
    AgentSettings agent,
    IoTransport transport) {

  public MeshSettings {
    pluginSettings = Map.copyOf(pluginSettings);
    configFolder = configFolder == null ? stateDir.resolveSibling("config") : configFolder;
    agent = agent == null ? AgentSettings.defaults() : agent;
    transport = transport == null ? IoTransport.AUTO : transport;
  }

  /** Settings without a config folder (beside the state folder) or agent settings (the defaults). */
  public MeshSettings(String trustDomain, String rootNamespace, Path pluginsDir, Path stateDir,
      Duration pluginScanInterval, String bindAddress, MeshPorts ports, Cluster cluster,
      Map<String, Map<String, Object>> pluginSettings) {
    this(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval, bindAddress, ports,
        cluster, pluginSettings, null, null, null);
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
        Map.of(),
        home.resolve("config"),
        AgentSettings.defaults(),
        IoTransport.AUTO);
  }

  /** A copy with other ports (tests bind 0). */
  public MeshSettings withPorts(MeshPorts newPorts) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval,
        bindAddress, newPorts, cluster, pluginSettings, configFolder, agent, transport);
  }

  /** A copy with another plugins folder. */
  public MeshSettings withPluginsDir(Path dir) {
    return new MeshSettings(trustDomain, rootNamespace, dir, stateDir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings, configFolder, agent, transport);
  }

  /** A copy with another state folder. */
  public MeshSettings withStateDir(Path dir) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, dir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings, configFolder, agent, transport);
  }

  /** A copy with another watched config folder. */
  public MeshSettings withConfigFolder(Path dir) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings, dir, agent, transport);
  }

  /** A copy with other agent settings (the demo passes one per sidecar kernel). */
  public MeshSettings withAgent(AgentSettings newAgent) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings, configFolder, newAgent, transport);
  }

  /** A copy with other per-extension settings. */
  public MeshSettings withPluginSettings(Map<String, Map<String, Object>> settings) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval,
        bindAddress, ports, cluster, settings, configFolder, agent, transport);
  }

  /** A copy with another event-loop transport. */
  public MeshSettings withTransport(IoTransport newTransport) {
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, pluginScanInterval,
        bindAddress, ports, cluster, pluginSettings, configFolder, agent, newTransport);
  }

  /**
   * The I/O under Vert.x's event loops, which the proxy's listeners and upstream connections share.
   * io_uring took the proxy from 0.69–0.89 of nginx's requests per second to 0.81–0.96 on the
   * benchmark host (kernel/README, Transport); it needs Linux on x86-64 with an io_uring Netty
   * supports, and a runtime that lets the process call {@code io_uring_setup} (Docker's default
   * seccomp profile does not).
   */
  public enum IoTransport {
    /** io_uring when available, otherwise NIO (the reason is logged). */
    AUTO,
    /** io_uring, or the kernel refuses to start, saying why it is unavailable. */
    IO_URING,
    /** Java NIO (epoll underneath on Linux), available everywhere. */
    NIO
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
