package io.mizzen.kernel.settings;

import io.mizzen.spi.MeshPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads and validates {@code mizzen.yaml}. Every problem is collected (not just the first) and
 * reported as {@code FILE:LINE: FIELD: message}; unknown fields are errors, so a typo is never
 * silently ignored. Relative folders resolve against the file's own folder.
 */
public final class MeshSettingsLoader {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
  private static final Pattern DNS_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private final String file;
  private final List<String> problems = new ArrayList<>();

  private MeshSettingsLoader(String file) {
    this.file = file;
  }

  /**
   * Loads {@code path}; when it does not exist, returns the defaults with folders under
   * {@code home}. Blocking file I/O: call it before Vert.x starts, or through executeBlocking.
   *
   * @throws SettingsException naming every problem, when the file is invalid or unreadable
   */
  public static MeshSettings load(Path path, Path home) {
    if (path == null || !Files.exists(path)) {
      return MeshSettings.defaults(home);
    }
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new SettingsException(List.of(path + ": cannot read: " + e.getMessage()));
    }
    Path base = path.toAbsolutePath().getParent();
    return parse(text, path.toString(), base);
  }

  /** Validates settings given as text; {@code file} names them in errors. */
  public static MeshSettings parse(String text, String file, Path base) {
    MeshSettingsLoader loader = new MeshSettingsLoader(file);
    MeshSettings settings = loader.read(text, base);
    if (!loader.problems.isEmpty()) {
      throw new SettingsException(loader.problems);
    }
    return settings;
  }

  private MeshSettings read(String text, Path base) {
    MeshSettings d = MeshSettings.defaults(base);
    Optional<Node> root;
    try {
      root = new Compose(LoadSettings.builder().setLabel(file).build()).composeString(text);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      problems.add(file + ":" + line + ": YAML syntax: " + e.getProblem());
      return d;
    } catch (YamlEngineException e) {
      problems.add(file + ": YAML syntax: " + e.getMessage());
      return d;
    }
    if (root.isEmpty()) {
      return d;
    }
    Map<String, Node> top = mapping(root.get(), "",
        Set.of("trustDomain", "rootNamespace", "pluginsDir", "stateDir", "pluginScanInterval",
            "bindAddress", "ports", "cluster", "plugins", "config", "controlPlane", "workload",
            "transport"));
    if (top == null) {
      return d;
    }
    String trustDomain = string(top.get("trustDomain"), "trustDomain", d.trustDomain());
    if (!DNS_NAME.matcher(trustDomain).matches()) {
      problem(top.get("trustDomain"), "trustDomain",
          "'" + trustDomain + "' is not a valid trust domain (lower-case DNS name)");
    }
    String rootNamespace = string(top.get("rootNamespace"), "rootNamespace", d.rootNamespace());
    Path pluginsDir = base.resolve(string(top.get("pluginsDir"), "pluginsDir", "plugins"));
    Path stateDir = base.resolve(string(top.get("stateDir"), "stateDir", "state"));
    Duration scan = duration(top.get("pluginScanInterval"), "pluginScanInterval", d.pluginScanInterval());
    String bind = string(top.get("bindAddress"), "bindAddress", d.bindAddress());
    MeshPorts ports = ports(top.get("ports"), d.ports());
    MeshSettings.Cluster cluster = cluster(top.get("cluster"), d.cluster());
    Map<String, Map<String, Object>> pluginSettings = pluginSettings(top.get("plugins"), text);
    Path configFolder = base.resolve("config");
    Map<String, Node> config = mapping(top.get("config"), "config", Set.of("folder"));
    if (config != null && config.get("folder") != null) {
      configFolder = base.resolve(string(config.get("folder"), "config.folder", "config"));
    }
    AgentSettings agent = agent(top.get("controlPlane"), top.get("workload"));
    MeshSettings.IoTransport transport = transport(top.get("transport"), d.transport());
    return new MeshSettings(trustDomain, rootNamespace, pluginsDir, stateDir, scan, bind, ports,
        cluster, pluginSettings, configFolder, agent, transport);
  }

  private MeshSettings.IoTransport transport(Node node, MeshSettings.IoTransport dflt) {
    String name = string(node, "transport", dflt.name().toLowerCase(java.util.Locale.ROOT));
    for (MeshSettings.IoTransport t : MeshSettings.IoTransport.values()) {
      if (t.name().equalsIgnoreCase(name)) {
        return t;
      }
    }
    problem(node, "transport", "'" + name + "' is not one of auto, io_uring, nio");
    return dflt;
  }

  private AgentSettings agent(Node controlPlaneNode, Node workloadNode) {
    AgentSettings d = AgentSettings.defaults();
    String controlPlane = string(controlPlaneNode, "controlPlane", d.controlPlane());
    if (!controlPlane.matches("[^:\\s]+:\\d{1,5}")) {
      problem(controlPlaneNode, "controlPlane", "'" + controlPlane + "' is not host:port");
      controlPlane = d.controlPlane();
    }
    Map<String, Node> w = mapping(workloadNode, "workload",
        Set.of("service", "namespace", "labels", "serviceAccount", "address", "appPort"));
    if (w == null) {
      return d.withControlPlane(controlPlane);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, Node> labelNodes = mapping(w.get("labels"), "workload.labels", null);
    if (labelNodes != null) {
      labelNodes.forEach((k, v) -> labels.put(k, string(v, "workload.labels." + k, "")));
    }
    int appPort = port(w, "appPort", "workload.appPort", 0);
    return new AgentSettings(controlPlane, string(w.get("service"), "workload.service", ""),
        string(w.get("namespace"), "workload.namespace", d.namespace()), labels,
        string(w.get("serviceAccount"), "workload.serviceAccount", d.serviceAccount()),
        string(w.get("address"), "workload.address", d.address()), appPort);
  }

  private MeshPorts ports(Node node, MeshPorts d) {
    Map<String, Node> m = mapping(node, "ports", Set.of("admin", "outbound", "inbound", "health",
        "prometheus", "grpc", "grpcTls", "mixer", "monitoring", "webhook"));
    if (m == null) {
      return d;
    }
    return new MeshPorts(
        port(m, "admin", d.admin()), port(m, "outbound", d.outbound()),
        port(m, "inbound", d.inbound()), port(m, "health", d.health()),
        port(m, "prometheus", d.prometheus()), port(m, "grpc", d.grpc()),
        port(m, "grpcTls", d.grpcTls()), port(m, "mixer", d.mixer()),
        port(m, "monitoring", d.monitoring()),
        port(m, "webhook", d.webhook()));
  }

  private MeshSettings.Cluster cluster(Node node, MeshSettings.Cluster d) {
    Map<String, Node> m = mapping(node, "cluster", Set.of("enabled", "name", "port", "members"));
    if (m == null) {
      return d;
    }
    boolean enabled = bool(m.get("enabled"), "cluster.enabled", d.enabled());
    String name = string(m.get("name"), "cluster.name", d.name());
    int port = port(m, "port", "cluster.port", d.port());
    List<String> members = new ArrayList<>();
    Node membersNode = m.get("members");
    if (membersNode instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        String field = "cluster.members[" + i + "]";
        String member = string(seq.getValue().get(i), field, "");
        if (!member.matches("[^:\\s]+:\\d{1,5}")) {
          problem(seq.getValue().get(i), field, "'" + member + "' is not host:port");
        }
        members.add(member);
      }
    } else if (membersNode != null) {
      problem(membersNode, "cluster.members", "must be a list of host:port");
    }
    return new MeshSettings.Cluster(enabled, name, port, members);
  }

  private Map<String, Map<String, Object>> pluginSettings(Node node, String text) {
    Map<String, Node> m = mapping(node, "plugins", Set.of("settings"));
    if (m == null || m.get("settings") == null) {
      return Map.of();
    }
    Map<String, Node> byName = mapping(m.get("settings"), "plugins.settings", null);
    if (byName == null) {
      return Map.of();
    }
    // Plain Java values for the extensions, which validate their own settings.
    Load load = new Load(LoadSettings.builder().build());
    Map<String, Map<String, Object>> result = new LinkedHashMap<>();
    Object all = ((Map<?, ?>) load.loadFromString(text)).get("plugins");
    Map<?, ?> settings = (Map<?, ?>) ((Map<?, ?>) all).get("settings");
    byName.forEach((name, valueNode) -> {
      Object value = settings.get(name);
      if (value instanceof Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        result.put(name, copy);
      } else if (value != null) {
        problem(valueNode, "plugins.settings." + name, "must be a mapping of the extension's settings");
      }
    });
    return result;
  }

  // --- typed field readers; each records a problem and returns the default on error ---

  private Map<String, Node> mapping(Node node, String field, Set<String> allowed) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode mapping)) {
      problem(node, field.isEmpty() ? "(document)" : field, "must be a mapping");
      return null;
    }
    Map<String, Node> result = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      String key = tuple.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
      String path = field.isEmpty() ? key : field + "." + key;
      if (allowed != null && !allowed.contains(key)) {
        problem(tuple.getKeyNode(), path, "unknown field (expected one of " + String.join(", ",
            allowed.stream().sorted().toList()) + ")");
        continue;
      }
      result.put(key, tuple.getValueNode());
    }
    return result;
  }

  private String string(Node node, String field, String dflt) {
    if (node == null) {
      return dflt;
    }
    if (node instanceof ScalarNode s && !s.getValue().isEmpty()) {
      return s.getValue();
    }
    problem(node, field, "must be a non-empty string");
    return dflt;
  }

  private boolean bool(Node node, String field, boolean dflt) {
    if (node == null) {
      return dflt;
    }
    if (node instanceof ScalarNode s && (s.getValue().equals("true") || s.getValue().equals("false"))) {
      return Boolean.parseBoolean(s.getValue());
    }
    problem(node, field, "must be true or false");
    return dflt;
  }

  private int port(Map<String, Node> m, String key, int dflt) {
    return port(m, key, "ports." + key, dflt);
  }

  private int port(Map<String, Node> m, String key, String field, int dflt) {
    Node node = m.get(key);
    if (node == null) {
      return dflt;
    }
    Integer value = node instanceof ScalarNode s ? parse(s.getValue(), Integer::valueOf) : null;
    if (value == null || value < 0 || value > 65535) {
      problem(node, field, "must be a port number 0-65535 (0 picks a free port), not '"
          + (node instanceof ScalarNode s ? s.getValue() : node.getNodeType()) + "'");
      return dflt;
    }
    return value;
  }

  private Duration duration(Node node, String field, Duration dflt) {
    if (node == null) {
      return dflt;
    }
    String text = node instanceof ScalarNode s ? s.getValue() : "";
    Matcher matcher = DURATION.matcher(text);
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (!matcher.matches()) {
      problem(node, field, "'" + text + "' is not a duration such as 500ms, 1s, 5m or 1h");
      return dflt;
    }
    double amount = Double.parseDouble(matcher.group(1));
    long millis = switch (matcher.group(2)) {
      case "ms" -> (long) amount;
      case "s" -> (long) (amount * 1000);
      case "m" -> (long) (amount * 60_000);
      default -> (long) (amount * 3_600_000);
    };
    return Duration.ofMillis(millis);
  }

  private static <T> T parse(String text, Function<String, T> parser) {
    try {
      return parser.apply(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void problem(Node node, String field, String message) {
    int line = node == null ? 0 : node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    problems.add(file + ":" + line + ": " + field + ": " + message);
  }
}
