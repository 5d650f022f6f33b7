package io.mizzen.spi.config.kube;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.bind.IntOrString;
import io.mizzen.spi.config.bind.Required;
import io.mizzen.spi.config.bind.SpecBinder;
import io.mizzen.spi.discovery.ServicePort;
import java.util.List;
import java.util.Map;

/**
 * The spec of a Kubernetes {@code v1 Service}, as far as discovery needs it. The service's name
 * and namespace come from the resource's metadata.
 *
 * @param ports the service ports
 * @param selector labels of the pods behind it
 * @param type ClusterIP, NodePort, LoadBalancer or ExternalName
 * @param clusterIP its virtual IP, or {@code None} when headless
 * @param externalName the DNS name of an ExternalName service
 * @param externalIPs extra IPs it answers on
 * @param sessionAffinity None or ClientIP
 * @param loadBalancerIP the requested load-balancer IP
 * @param externalTrafficPolicy Cluster or Local
 * @param publishNotReadyAddresses whether unready endpoints are published
 */
public record KubernetesService(
    @Required List<ServicePortSpec> ports,
    Map<String, String> selector,
    String type,
    String clusterIP,
    String externalName,
    List<String> externalIPs,
    String sessionAffinity,
    String loadBalancerIP,
    String externalTrafficPolicy,
    Boolean publishNotReadyAddresses) {

  /**
   * One port of a Service.
   *
   * @param name its name; Istio infers the protocol from the prefix ({@code http}, {@code grpc}, …)
   * @param port the service port
   * @param targetPort the pod port, by number or name; the service port when unset
   * @param protocol TCP, UDP or SCTP
   * @param nodePort the node port of a NodePort service
   */
  public record ServicePortSpec(String name, @Required Integer port, IntOrString targetPort, String protocol,
      Integer nodePort) {}

  /**
   * The ports as discovery describes them; a named {@code targetPort} (resolved per pod by
   * Kubernetes) is given as the service port, and the protocol is inferred from the port name's
   * prefix as Istio does ({@code http-web} is HTTP, {@code grpc} is GRPC, unnamed is TCP).
   */
  public List<ServicePort> servicePorts() {
    return ports.stream().map(p -> new ServicePort(p.name(), p.port(),
        p.targetPort() != null && p.targetPort().isNumber() ? p.targetPort().number() : p.port(),
        protocolOf(p.name()))).toList();
  }

  private static String protocolOf(String portName) {
    String prefix = portName == null ? "" : portName.split("-", 2)[0].toLowerCase(java.util.Locale.ROOT);
    return switch (prefix) {
      case "http", "http2", "grpc", "https", "tls", "mongo", "mysql", "redis", "udp", "tcp" -> prefix.toUpperCase(java.util.Locale.ROOT);
      case "grpc-web" -> "GRPC-WEB";
      default -> "TCP";
    };
  }

  /** Binds a {@code v1 Service} resource's spec strictly. */
  public static Bound<KubernetesService> of(Resource resource) {
    if (!"Service".equals(resource.kind()) || !resource.group().isEmpty()) {
      return new Bound<>(null, List.of(new ConfigError("kind",
          resource.apiVersion() + " " + resource.kind() + " is not a v1 Service")));
    }
    return SpecBinder.strict().bind(resource.spec(), KubernetesService.class, "spec");
  }
}
