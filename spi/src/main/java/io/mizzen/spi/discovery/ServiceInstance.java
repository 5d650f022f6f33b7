package io.mizzen.spi.discovery;

import java.util.List;
import java.util.Map;

/**
 * One running endpoint of a service, as a discovery source sees it.
 *
 * @param service the short service name, such as {@code reviews}
 * @param namespace the namespace, such as {@code default}
 * @param hostname the fully qualified host name, such as {@code reviews.default.svc.cluster.local}
 * @param address the IP address (or resolvable name) to connect to
 * @param ports the ports this endpoint serves
 * @param labels the workload's labels ({@code app}, {@code version}, …), used by subsets
 * @param serviceAccount the workload's service account, for its SPIFFE identity
 * @param source which registry reported it ({@code file}, {@code self}, {@code serviceentry}, …)
 */
public record ServiceInstance(
    String service,
    String namespace,
    String hostname,
    String address,
    List<ServicePort> ports,
    Map<String, String> labels,
    String serviceAccount,
    String source) {
  public ServiceInstance {
    ports = List.copyOf(ports);
    labels = Map.copyOf(labels);
    serviceAccount = serviceAccount == null ? "default" : serviceAccount;
  }
}
