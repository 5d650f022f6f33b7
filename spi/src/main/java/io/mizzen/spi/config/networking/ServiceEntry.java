package io.mizzen.spi.config.networking;

import io.mizzen.spi.config.bind.Required;
import java.util.List;
import java.util.Map;

/**
 * Istio's ServiceEntry spec: a service outside (or not discovered by) the mesh.
 *
 * @param hosts its host names
 * @param addresses virtual IPs or CIDRs
 * @param ports its ports
 * @param location inside or outside the mesh
 * @param resolution how endpoints are found
 * @param endpoints explicit endpoints (STATIC, or DNS names)
 * @param exportTo namespaces it is visible to; empty means all
 * @param subjectAltNames SANs its certificates carry
 * @param workloadSelector selects workloads as endpoints (later Istio)
 */
public record ServiceEntry(
    @Required List<String> hosts,
    List<String> addresses,
    @Required List<Port> ports,
    Location location,
    Resolution resolution,
    List<WorkloadEntry> endpoints,
    List<String> exportTo,
    List<String> subjectAltNames,
    WorkloadSelector workloadSelector) {

  /** Where the service runs. */
  public enum Location { MESH_EXTERNAL, MESH_INTERNAL }

  /** How endpoints are resolved. */
  public enum Resolution { NONE, STATIC, DNS }

  /** @param labels labels the selected workloads carry */
  public record WorkloadSelector(Map<String, String> labels) {}
}
