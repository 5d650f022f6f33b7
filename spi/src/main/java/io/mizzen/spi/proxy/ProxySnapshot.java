package io.mizzen.spi.proxy;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import java.util.List;
import java.util.Objects;

/**
 * One complete view of the mesh for a proxy, as Pilot pushes it: the proxy compiles it once into
 * its route table and swaps it in atomically; a snapshot that fails to compile is rejected and the
 * previous one stays in force.
 *
 * @param version an opaque version, echoed in acknowledgements and {@code proxy-status}
 * @param resources the networking resources (VirtualService, DestinationRule, Gateway,
 *     ServiceEntry, Sidecar, …) visible to this proxy
 * @param instances the service endpoints known to discovery
 */
public record ProxySnapshot(String version, List<Resource> resources, List<ServiceInstance> instances) {
  public ProxySnapshot {
    Objects.requireNonNull(version, "version");
    resources = resources == null ? List.of() : List.copyOf(resources);
    instances = instances == null ? List.of() : List.copyOf(instances);
  }
}
