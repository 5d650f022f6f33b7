package io.mizzen.kernel.discovery;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoints ServiceEntries declare, as discovery source {@code serviceentry}: one instance per
 * host and endpoint; a DNS entry without endpoints resolves its host itself.
 */
public final class ServiceEntryEndpoints {
  private ServiceEntryEndpoints() {}

  /** The instances of every ServiceEntry among {@code resources} (already validated). */
  public static List<ServiceInstance> of(Iterable<Resource> resources) {
    List<ServiceInstance> out = new ArrayList<>();
    for (Resource r : resources) {
      if (!r.kind().equals("ServiceEntry")) {
        continue;
      }
      Map<String, Object> spec = r.spec();
      List<ServicePort> ports = new ArrayList<>();
      Map<String, Integer> portByName = new LinkedHashMap<>();
      for (Object p : list(spec.get("ports"))) {
        if (p instanceof Map<?, ?> port && port.get("number") instanceof Number n) {
          String name = String.valueOf(port.get("name") == null ? "" : port.get("name"));
          ports.add(new ServicePort(name, n.intValue(), 0,
              port.get("protocol") == null ? "" : String.valueOf(port.get("protocol"))));
          portByName.put(name, n.intValue());
        }
      }
      List<Object> endpoints = list(spec.get("endpoints"));
      for (Object h : list(spec.get("hosts"))) {
        String host = String.valueOf(h);
        String service = host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
        if (endpoints.isEmpty() && "DNS".equals(spec.get("resolution")) && !host.startsWith("*")) {
          out.add(new ServiceInstance(service, r.namespace(), host, host, ports, Map.of(), null, "serviceentry"));
        }
        for (Object e : endpoints) {
          if (!(e instanceof Map<?, ?> endpoint) || endpoint.get("address") == null) {
            continue;
          }
          List<ServicePort> own = new ArrayList<>();
          Map<?, ?> mapped = endpoint.get("ports") instanceof Map<?, ?> m ? m : Map.of();
          for (ServicePort sp : ports) {
            Object target = mapped.get(sp.name());
            own.add(new ServicePort(sp.name(), sp.port(), target instanceof Number t ? t.intValue() : sp.port(), sp.protocol()));
          }
          Map<String, String> labels = new LinkedHashMap<>();
          if (endpoint.get("labels") instanceof Map<?, ?> l) {
            l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
          }
          Object sa = endpoint.get("serviceAccount");
          out.add(new ServiceInstance(service, r.namespace(), host, String.valueOf(endpoint.get("address")),
              own, labels, sa == null ? null : String.valueOf(sa), "serviceentry"));
        }
      }
    }
    return out;
  }

  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? new ArrayList<>(l) : List.of();
  }
}
