package io.mizzen.plugins.discovery.file;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Parses the workload file into instances. Every problem is collected and named by file and
 * field path (a YAML syntax error by line), so one bad entry never hides another.
 */
final class WorkloadFile {
  private static final Set<String> WORKLOAD_FIELDS =
      Set.of("service", "namespace", "address", "labels", "serviceAccount", "ports");
  private static final Set<String> PORT_FIELDS = Set.of("name", "port", "targetPort", "protocol");

  private final String file;
  private final List<String> problems = new ArrayList<>();

  private WorkloadFile(String file) {
    this.file = file;
  }

  /**
   * What {@code text} (read from {@code file}) says.
   *
   * @param instances the instances, when there were no problems
   * @param problems every problem, {@code FILE: FIELD: message}
   */
  record Parsed(List<ServiceInstance> instances, List<String> problems) {}

  static Parsed parse(String file, String text) {
    WorkloadFile f = new WorkloadFile(file);
    List<ServiceInstance> instances = f.read(text);
    return new Parsed(f.problems.isEmpty() ? instances : List.of(), List.copyOf(f.problems));
  }

  private List<ServiceInstance> read(String text) {
    Object root;
    try {
      root = new Load(LoadSettings.builder().setLabel(file).build()).loadFromString(text);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      problems.add(file + ":" + line + ": YAML syntax: " + e.getProblem());
      return List.of();
    } catch (YamlEngineException e) {
      problems.add(file + ": YAML syntax: " + e.getMessage());
      return List.of();
    }
    if (root == null) {
      return List.of();
    }
    if (!(root instanceof Map<?, ?> top) || !(top.get("workloads") instanceof List<?> workloads)) {
      problems.add(file + ": workloads: the file must be a mapping with a 'workloads' list");
      return List.of();
    }
    for (Object key : top.keySet()) {
      if (!"workloads".equals(key)) {
        problems.add(file + ": " + key + ": unknown field (expected workloads)");
      }
    }
    List<ServiceInstance> out = new ArrayList<>();
    for (int i = 0; i < workloads.size(); i++) {
      ServiceInstance instance = workload("workloads[" + i + "]", workloads.get(i));
      if (instance != null) {
        out.add(instance);
      }
    }
    return out;
  }

  private ServiceInstance workload(String at, Object o) {
    if (!(o instanceof Map<?, ?> w)) {
      problems.add(file + ": " + at + ": must be a mapping");
      return null;
    }
    unknown(at, w, WORKLOAD_FIELDS);
    String service = string(at + ".service", w.get("service"), null);
    String namespace = string(at + ".namespace", w.get("namespace"), "default");
    String address = string(at + ".address", w.get("address"), null);
    String serviceAccount = string(at + ".serviceAccount", w.get("serviceAccount"), "default");
    Map<String, String> labels = new LinkedHashMap<>();
    if (w.get("labels") instanceof Map<?, ?> l) {
      l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
    } else if (w.get("labels") != null) {
      problems.add(file + ": " + at + ".labels: must be a mapping of strings");
    }
    List<ServicePort> ports = new ArrayList<>();
    if (w.get("ports") instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        ServicePort p = port(at + ".ports[" + i + "]", list.get(i));
        if (p != null) {
          ports.add(p);
        }
      }
    } else if (w.get("ports") != null) {
      problems.add(file + ": " + at + ".ports: must be a list");
    }
    if (service == null || address == null) {
      return null;
    }
    return new ServiceInstance(service, namespace, service + "." + namespace + ".svc.cluster.local", address,
        ports, labels, serviceAccount, "file");
  }

  private ServicePort port(String at, Object o) {
    if (!(o instanceof Map<?, ?> p)) {
      problems.add(file + ": " + at + ": must be a mapping");
      return null;
    }
    unknown(at, p, PORT_FIELDS);
    Integer port = number(at + ".port", p.get("port"), null);
    Integer target = number(at + ".targetPort", p.get("targetPort"), 0);
    if (port == null || target == null) {
      return null;
    }
    try {
      return new ServicePort(string(at + ".name", p.get("name"), ""), port, target,
          string(at + ".protocol", p.get("protocol"), ""));
    } catch (IllegalArgumentException e) {
      problems.add(file + ": " + at + ": " + e.getMessage());
      return null;
    }
  }

  private void unknown(String at, Map<?, ?> m, Set<String> allowed) {
    for (Object k : m.keySet()) {
      if (!allowed.contains(String.valueOf(k))) {
        problems.add(file + ": " + at + "." + k + ": unknown field (expected one of "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private String string(String at, Object v, String dflt) {
    if (v == null) {
      if (dflt == null) {
        problems.add(file + ": " + at + ": required");
      }
      return dflt;
    }
    if (v instanceof Map || v instanceof List) {
      problems.add(file + ": " + at + ": must be a string");
      return dflt;
    }
    return String.valueOf(v);
  }

  private Integer number(String at, Object v, Integer dflt) {
    if (v == null) {
      if (dflt == null) {
        problems.add(file + ": " + at + ": required");
      }
      return dflt;
    }
    if (v instanceof Integer i) {
      return i;
    }
    problems.add(file + ": " + at + ": must be a port number, not '" + v + "'");
    return null;
  }
}
