package io.mizzen.kernel.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks the API server would make on a pod spec, and a few it would not but kubelet would trip on. */
final class PodSpecChecks {

  private static final Pattern ENV_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final Pattern PORT_NAME = Pattern.compile("^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$");

  private PodSpecChecks() {}

  static void check(String where, PodSpec spec) {
    Set<String> volumes = new HashSet<>();
    for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
      assertTrue(volumes.add(v.getName()), where + ": duplicate volume " + v.getName());
    }
    Set<String> containerNames = new HashSet<>();
    List<Container> all = new ArrayList<>(spec.getContainers());
    if (spec.getInitContainers() != null) {
      all.addAll(spec.getInitContainers());
    }
    for (Container c : all) {
      String at = where + " container " + c.getName();
      assertTrue(containerNames.add(c.getName()), where + ": duplicate container name " + c.getName());
      assertTrue(c.getImage() != null && !c.getImage().isBlank(), at + " has no image");
      c.getVolumeMounts().forEach(m -> assertTrue(volumes.contains(m.getName()), at + " mounts unknown volume " + m.getName()));
      Set<String> portNames = new HashSet<>();
      for (ContainerPort p : c.getPorts()) {
        if (p.getName() != null) {
          assertTrue(p.getName().length() <= 15 && PORT_NAME.matcher(p.getName()).matches(), at + ": bad port name " + p.getName());
          assertTrue(portNames.add(p.getName()), at + ": duplicate port name " + p.getName());
        }
        assertTrue(p.getContainerPort() >= 1 && p.getContainerPort() <= 65535, at + ": port " + p.getContainerPort());
      }
      Set<String> defined = new HashSet<>();
      for (EnvVar e : c.getEnv()) {
        if (e.getValue() != null) {
          Matcher m = ENV_REF.matcher(e.getValue());
          while (m.find()) {
            // Kubernetes expands $(VAR) only for variables defined earlier in the same list.
            assertTrue(defined.contains(m.group(1)), at + ": env " + e.getName() + " refers to $(" + m.group(1)
                + ") before it is defined");
          }
        }
        assertTrue(defined.add(e.getName()), at + ": env " + e.getName() + " defined twice");
      }
    }
    assertEquals(containerNames.size(), all.size());
  }
}
