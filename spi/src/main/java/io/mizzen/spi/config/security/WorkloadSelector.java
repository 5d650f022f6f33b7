package io.mizzen.spi.config.security;

import java.util.Map;

/** @param matchLabels labels the selected workloads carry; empty selects the whole namespace */
public record WorkloadSelector(Map<String, String> matchLabels) {

  /** The labels {@code selector} asks for: none when it or its labels are absent. */
  public static Map<String, String> wanted(WorkloadSelector selector) {
    return selector == null || selector.matchLabels() == null ? Map.of() : selector.matchLabels();
  }

  /**
   * Whether a policy of {@code policyNamespace} with {@code selector} (null: none) applies to a
   * workload, as Istio selects: a policy in the root namespace applies mesh-wide, any other only
   * in its own namespace, and there only to workloads carrying every label the selector asks for.
   */
  public static boolean applies(WorkloadSelector selector, String policyNamespace, String rootNamespace,
      String workloadNamespace, Map<String, String> workloadLabels) {
    if (!policyNamespace.equals(rootNamespace) && !policyNamespace.equals(workloadNamespace)) {
      return false;
    }
    return workloadLabels.entrySet().containsAll(wanted(selector).entrySet());
  }
}
