package io.mizzen.kernel.discovery;

import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sidecar registers of its workload.
 *
 * @param id stable per workload instance (the agent's choice), the lease's key
 * @param service the service name
 * @param namespace its namespace
 * @param labels its labels
 * @param address where other proxies reach it
 * @param ports the ports it serves
 * @param serviceAccount its service account
 */
public record WorkloadRegistration(
    String id, String service, String namespace, Map<String, String> labels, String address,
    List<ServicePort> ports, String serviceAccount) {

  /** The DNS suffix of services inside the mesh. */
  public static final String CLUSTER_DOMAIN = "svc.cluster.local";

  public WorkloadRegistration {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    ports = ports == null ? List.of() : List.copyOf(ports);
    namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
    serviceAccount = serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
  }

  /** The instance discovery reports for it, from source {@code self}. */
  public ServiceInstance toInstance() {
    return new ServiceInstance(service, namespace, service + "." + namespace + "." + CLUSTER_DOMAIN,
        address, ports, labels, serviceAccount, "self");
  }

  /** As JSON, the form it takes in the (possibly cluster-wide) lease map. */
  String toJson() {
    JsonArray p = new JsonArray();
    ports.forEach(port -> p.add(new JsonObject().put("name", port.name()).put("port", port.port())
        .put("targetPort", port.targetPort()).put("protocol", port.protocol())));
    return new JsonObject().put("id", id).put("service", service).put("namespace", namespace)
        .put("labels", new JsonObject(new LinkedHashMap<>(labels))).put("address", address)
        .put("ports", p).put("serviceAccount", serviceAccount).encode();
  }

  static WorkloadRegistration fromJson(String json) {
    JsonObject o = new JsonObject(json);
    List<ServicePort> ports = new ArrayList<>();
    o.getJsonArray("ports", new JsonArray()).forEach(x -> {
      JsonObject p = (JsonObject) x;
      ports.add(new ServicePort(p.getString("name"), p.getInteger("port"), p.getInteger("targetPort"),
          p.getString("protocol")));
    });
    Map<String, String> labels = new LinkedHashMap<>();
    o.getJsonObject("labels", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
    return new WorkloadRegistration(o.getString("id"), o.getString("service"), o.getString("namespace"),
        labels, o.getString("address"), ports, o.getString("serviceAccount"));
  }
}
