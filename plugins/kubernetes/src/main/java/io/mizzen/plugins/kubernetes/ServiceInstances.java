package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins what the informers hold into service instances, as Istio's Kubernetes registry does: one
 * instance per ready EndpointSlice address of a known Service, with the labels and service
 * account of the Pod the endpoint points at. Pure: the same caches give the same list.
 */
final class ServiceInstances {
  static final String SOURCE = "kubernetes";
  private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private ServiceInstances() {}

  static List<ServiceInstance> of(Collection<Service> services, Collection<EndpointSlice> slices, Collection<Pod> pods,
      String clusterDomain) {
    Map<String, Service> servicesByKey = new HashMap<>();
    services.forEach(s -> servicesByKey.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s));
    Map<String, Pod> podsByKey = new HashMap<>();
    pods.forEach(p -> podsByKey.put(key(p.getMetadata().getNamespace(), p.getMetadata().getName()), p));
    List<ServiceInstance> out = new ArrayList<>();
    for (EndpointSlice slice : slices) {
      String ns = slice.getMetadata().getNamespace();
      Map<String, String> sliceLabels = slice.getMetadata().getLabels();
      String serviceName = sliceLabels == null ? null : sliceLabels.get(SERVICE_NAME_LABEL);
      Service service = serviceName == null ? null : servicesByKey.get(key(ns, serviceName));
      if (service == null || slice.getEndpoints() == null) {
        continue;
      }
      List<ServicePort> ports = ports(service, slice.getPorts());
      String hostname = serviceName + "." + ns + ".svc." + clusterDomain;
      for (Endpoint endpoint : slice.getEndpoints()) {
        if (endpoint.getConditions() != null && Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
          continue;
        }
        Pod pod = pod(podsByKey, ns, endpoint.getTargetRef());
        Map<String, String> labels = pod == null || pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String account = pod == null || pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
        for (String address : endpoint.getAddresses() == null ? List.<String>of() : endpoint.getAddresses()) {
          out.add(new ServiceInstance(serviceName, ns, hostname, address, ports, labels, account, SOURCE));
        }
      }
    }
    out.sort(Comparator.comparing(ServiceInstance::hostname).thenComparing(ServiceInstance::address));
    return out;
  }

  /** The Service's ports, each with the target port the slice resolved for it (by port name). */
  private static List<ServicePort> ports(Service service, List<EndpointPort> slicePorts) {
    List<ServicePort> out = new ArrayList<>();
    if (service.getSpec() == null || service.getSpec().getPorts() == null) {
      return out;
    }
    for (io.fabric8.kubernetes.api.model.ServicePort sp : service.getSpec().getPorts()) {
      String name = sp.getName() == null ? "" : sp.getName();
      int target = sp.getPort();
      if (slicePorts != null) {
        for (EndpointPort ep : slicePorts) {
          if (name.equals(ep.getName() == null ? "" : ep.getName()) && ep.getPort() != null) {
            target = ep.getPort();
          }
        }
      }
      String protocol = sp.getAppProtocol() != null ? sp.getAppProtocol().toUpperCase(java.util.Locale.ROOT)
          : "UDP".equals(sp.getProtocol()) ? "UDP" : "";
      out.add(new ServicePort(name, sp.getPort(), target, protocol));
    }
    return out;
  }

  private static Pod pod(Map<String, Pod> pods, String ns, ObjectReference ref) {
    if (ref == null || !"Pod".equals(ref.getKind()) || ref.getName() == null) {
      return null;
    }
    return pods.get(key(ref.getNamespace() == null ? ns : ref.getNamespace(), ref.getName()));
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }
}
