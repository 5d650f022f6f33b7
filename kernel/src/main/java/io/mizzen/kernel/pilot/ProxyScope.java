package io.mizzen.kernel.pilot;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one proxy may see, as Istio scopes it: a VirtualService, DestinationRule or ServiceEntry
 * only if its {@code exportTo} includes the proxy's namespace; and when a Sidecar applies to the
 * proxy (one in its namespace selecting its labels, else its namespace's default, else the root
 * namespace's), only what that Sidecar's {@code egress.hosts} import. Security policies of the
 * proxy's and the root namespace; Mixer and Kubernetes kinds are not pushed.
 */
final class ProxyScope {
  private static final Set<String> HOSTED = Set.of("VirtualService", "DestinationRule", "ServiceEntry");
  private static final Set<String> ALWAYS = Set.of("Gateway", "WorkloadEntry");
  private static final Set<String> SECURITY = Set.of("PeerAuthentication", "AuthorizationPolicy",
      "RequestAuthentication", "Policy", "MeshPolicy", "ServiceRole", "ServiceRoleBinding",
      "ClusterRbacConfig", "RbacConfig");

  private final ProxyNode node;
  private final String rootNamespace;
  private final Resource sidecar;
  private final List<String[]> egress;

  private ProxyScope(ProxyNode node, String rootNamespace, Resource sidecar) {
    this.node = node;
    this.rootNamespace = rootNamespace;
    this.sidecar = sidecar;
    this.egress = sidecar == null ? null : egressHosts(sidecar);
  }

  /** The scope of {@code node} given every Sidecar resource in force. */
  static ProxyScope of(ProxyNode node, String rootNamespace, Collection<Resource> sidecars) {
    Resource selected = null;
    Resource namespaceDefault = null;
    Resource rootDefault = null;
    for (Resource s : sidecars) {
      Map<String, String> selector = selector(s);
      if (s.namespace().equals(node.namespace())) {
        if (selector != null && node.labels().entrySet().containsAll(selector.entrySet())) {
          selected = selected == null ? s : selected;
        } else if (selector == null) {
          namespaceDefault = namespaceDefault == null ? s : namespaceDefault;
        }
      } else if (s.namespace().equals(rootNamespace) && selector == null) {
        rootDefault = rootDefault == null ? s : rootDefault;
      }
    }
    Resource applies = selected != null ? selected : namespaceDefault != null ? namespaceDefault : rootDefault;
    return new ProxyScope(node, rootNamespace, applies);
  }

  /** Whether the proxy is sent {@code r}. */
  boolean visible(Resource r) {
    String kind = r.kind();
    if (kind.equals("Sidecar")) {
      return r == sidecar;
    }
    if (ALWAYS.contains(kind)) {
      return true;
    }
    if (SECURITY.contains(kind)) {
      return r.namespace().equals(node.namespace()) || r.namespace().equals(rootNamespace)
          || kind.equals("MeshPolicy") || kind.equals("ClusterRbacConfig");
    }
    if (!HOSTED.contains(kind) || !exported(r)) {
      return false;
    }
    if (egress == null) {
      return true;
    }
    for (String host : hostsOf(r)) {
      if (imported(r.namespace(), host)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the proxy is sent {@code i}. */
  boolean visible(ServiceInstance i) {
    return egress == null || imported(i.namespace(), i.hostname());
  }

  private boolean exported(Resource r) {
    if (!(r.spec().get("exportTo") instanceof List<?> to) || to.isEmpty()) {
      return true;
    }
    for (Object o : to) {
      String ns = String.valueOf(o);
      if (ns.equals("*") || ns.equals(node.namespace()) || (ns.equals(".") && r.namespace().equals(node.namespace()))) {
        return true;
      }
    }
    return false;
  }

  private boolean imported(String namespace, String host) {
    String fqdn = host.contains(".") ? host : host + "." + namespace + ".svc.cluster.local";
    for (String[] e : egress) {
      boolean nsMatches = e[0].equals("*") || (e[0].equals(".") ? namespace.equals(node.namespace())
          : e[0].equals(namespace));
      if (nsMatches && (hostMatches(e[1], host) || hostMatches(e[1], fqdn))) {
        return true;
      }
    }
    return false;
  }

  private static boolean hostMatches(String pattern, String host) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*")) {
      return host.endsWith(pattern.substring(1));
    }
    return pattern.equals(host);
  }

  private static List<String> hostsOf(Resource r) {
    List<String> hosts = new ArrayList<>();
    if (r.kind().equals("DestinationRule")) {
      if (r.spec().get("host") != null) {
        hosts.add(String.valueOf(r.spec().get("host")));
      }
    } else if (r.spec().get("hosts") instanceof List<?> l) {
      l.forEach(h -> hosts.add(String.valueOf(h)));
    }
    return hosts;
  }

  private static Map<String, String> selector(Resource sidecar) {
    if (sidecar.spec().get("workloadSelector") instanceof Map<?, ?> ws && ws.get("labels") instanceof Map<?, ?> l
        && !l.isEmpty()) {
      Map<String, String> m = new java.util.LinkedHashMap<>();
      l.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
      return m;
    }
    return null;
  }

  /** The {@code namespace/host} pairs of the Sidecar's egress listeners; none means import all. */
  private static List<String[]> egressHosts(Resource sidecar) {
    if (!(sidecar.spec().get("egress") instanceof List<?> listeners) || listeners.isEmpty()) {
      return null;
    }
    List<String[]> out = new ArrayList<>();
    for (Object l : listeners) {
      if (l instanceof Map<?, ?> listener && listener.get("hosts") instanceof List<?> hosts) {
        for (Object h : hosts) {
          String s = String.valueOf(h);
          int slash = s.indexOf('/');
          out.add(slash < 0 ? new String[] {"*", s} : new String[] {s.substring(0, slash), s.substring(slash + 1)});
        }
      }
    }
    return out;
  }
}
