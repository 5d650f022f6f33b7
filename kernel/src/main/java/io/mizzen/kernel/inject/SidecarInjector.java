package io.mizzen.kernel.inject;

import java.util.Map;

/**
 * Adds the Mizzen sidecar to Kubernetes workloads: Pods, Deployments, StatefulSets, DaemonSets,
 * ReplicaSets, ReplicationControllers, Jobs and CronJobs (and those inside a {@code List}).
 * Injection is idempotent (a pod carrying {@code sidecar.istio.io/status} is left alone) and
 * honours the opt-out {@code sidecar.istio.io/inject: "false"} on the pod template.
 *
 * <p>Pure, in-memory, CPU-only work: callers on an event loop may call it directly for a single
 * pod; reading the files around it is the caller's blocking part.
 */
public interface SidecarInjector {

  /** An injector rendering {@code template} with {@code mesh}'s values. */
  static SidecarInjector create(InjectionTemplate template, MeshDefaults mesh) {
    return new ManifestInjector(template, mesh);
  }

  /**
   * Injects into every workload of a multi-document YAML manifest. Documents that are not
   * workloads, or that are left alone, are copied byte for byte.
   *
   * @param yaml   the manifest text
   * @param source its name for messages (a file name, or {@code <stdin>})
   * @return the rewritten manifest
   * @throws InjectionException naming the source, line, document and field path of bad input
   */
  String injectManifest(String yaml, String source);

  /**
   * Injects into one parsed Kubernetes object (as maps and lists), in place.
   *
   * @param object a parsed object; kinds without a pod template are left alone
   * @param where  the object's location, used as the prefix of error messages
   * @return whether the object changed
   * @throws InjectionException on malformed input, naming the field path
   */
  boolean injectObject(Map<String, Object> object, String where);
}
