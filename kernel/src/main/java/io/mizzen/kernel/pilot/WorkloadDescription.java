package io.mizzen.kernel.pilot;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.security.AuthorizationPolicy;
import io.mizzen.spi.config.security.PeerAuthenticationModes;
import io.mizzen.spi.config.security.RbacConfig;
import io.mizzen.spi.config.security.RequestAuthentication;
import io.mizzen.spi.config.security.SecurityModel;
import io.mizzen.spi.config.security.ServiceRole;
import io.mizzen.spi.config.security.ServiceRoleBinding;
import io.mizzen.spi.config.security.WorkloadSelector;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What {@code mizzen describe} shows of one workload, computed from the config in force: per
 * inbound port the effective mTLS mode and the resource that decided it (spi's
 * {@link PeerAuthenticationModes}, the same resolution the proxy enforces), the
 * AuthorizationPolicies and RequestAuthentications that select it, the rbac.istio.io roles bound
 * to it when a ClusterRbacConfig includes it, and the DestinationRules and VirtualServices of its
 * host. Pure: no I/O.
 */
final class WorkloadDescription {
  private static final String CLUSTER_DOMAIN = "cluster.local";

  /**
   * A workload to describe.
   *
   * @param workload service, namespace, labels, service account
   * @param hostname its host ({@code reviews.default.svc.cluster.local})
   * @param ports its inbound ports (empty when none is known)
   * @param proxy the connected proxy's id, or empty
   * @param address its address
   * @param selfRegistered whether the ports come from a sidecar's self-registration, whose
   *     {@code targetPort} is the sidecar's inbound listener: the workload's own port (the one
   *     PeerAuthentication's {@code portLevelMtls} names) is then {@code port}; otherwise it is
   *     {@code targetPort}
   */
  record Target(WorkloadInfo workload, String hostname, List<ServicePort> ports, String proxy, String address,
      boolean selfRegistered) {}

  /**
   * The workloads {@code mizzen describe NAME} names, and the namespace it resolved in.
   *
   * @param targets empty when nothing matched
   * @param namespace the connected proxy's namespace when NAME was its id, else the one asked for
   */
  record Found(List<Target> targets, String namespace) {}

  /**
   * Resolves {@code name}: a connected proxy's id (its node gives service, namespace and labels;
   * its registration, if any, the service account and ports), or else a service (or host) with
   * instances in {@code namespace}, one target per distinct set of labels, service account and ports.
   */
  static Found find(String name, String namespace, List<ServiceInstance> instances, List<ProxyNode> proxies) {
    ProxyNode node = proxies.stream().filter(n -> n.id().equals(name)).findFirst().orElse(null);
    if (node != null) {
      ServiceInstance own = instances.stream()
          .filter(i -> i.service().equals(node.service()) && i.namespace().equals(node.namespace())
              && i.address().equals(node.address()))
          .min(Comparator.comparing((ServiceInstance i) -> !"self".equals(i.source()))).orElse(null);
      return new Found(List.of(new Target(
          new WorkloadInfo(node.service(), node.namespace(), node.labels(), own == null ? null : own.serviceAccount(),
              node.address(), 0),
          own != null ? own.hostname() : fqdn(node.service(), node.namespace()),
          own == null ? List.of() : own.ports(), node.id(), node.address(), own != null && "self".equals(own.source()))),
          node.namespace());
    }
    Map<String, ServiceInstance> distinct = new LinkedHashMap<>();
    for (ServiceInstance i : instances) {
      if (i.namespace().equals(namespace) && (i.service().equals(name) || i.hostname().equals(name))) {
        distinct.putIfAbsent(new TreeMap<>(i.labels()) + "|" + i.serviceAccount() + "|" + i.ports(), i);
      }
    }
    List<Target> targets = new ArrayList<>();
    for (ServiceInstance i : distinct.values()) {
      String proxy = proxies.stream()
          .filter(n -> n.service().equals(i.service()) && n.namespace().equals(i.namespace())
              && n.address().equals(i.address()) && n.labels().equals(i.labels()))
          .map(ProxyNode::id).findFirst().orElse("");
      targets.add(new Target(new WorkloadInfo(i.service(), i.namespace(), i.labels(), i.serviceAccount(), i.address(), 0),
          i.hostname(), i.ports(), proxy, i.address(), "self".equals(i.source())));
    }
    return new Found(targets, namespace);
  }

  private final Collection<Resource> resources;
  private final String rootNamespace;
  private final PeerAuthenticationModes modes;

  /** @throws IllegalArgumentException when an authentication resource in force cannot be used */
  WorkloadDescription(Collection<Resource> resources, String rootNamespace) {
    this.resources = resources;
    this.rootNamespace = rootNamespace;
    this.modes = PeerAuthenticationModes.of(resources, rootNamespace);
  }

  /** The description of one workload (one set of labels, service account and ports). */
  JsonObject describe(Target t) {
    WorkloadInfo w = t.workload();
    JsonArray ports = new JsonArray();
    for (ServicePort p : t.ports()) {
      int workloadPort = t.selfRegistered() ? p.port() : p.targetPort();
      PeerAuthenticationModes.Effective e = modes.explain(w, workloadPort, List.of(p));
      ports.add(new JsonObject().put("name", p.name()).put("port", p.port()).put("workloadPort", workloadPort)
          .put("protocol", protocol(p)).put("mtls", e.mode().name())
          .put("decidedBy", e.source().equals("default") ? "default PERMISSIVE" : e.source()));
    }
    JsonArray authz = authorizationPolicies(w);
    boolean denyByDefault = authz.stream().map(JsonObject.class::cast).anyMatch(a -> "ALLOW".equals(a.getString("action")));
    return new JsonObject()
        .put("service", w.service()).put("namespace", w.namespace()).put("hostname", t.hostname())
        .put("labels", new JsonObject(new TreeMap<String, Object>(w.labels()))).put("serviceAccount", w.serviceAccount())
        .put("address", t.address()).put("proxy", t.proxy())
        .put("ports", ports)
        .put("authorizationPolicies", authz).put("denyByDefault", denyByDefault)
        .put("requestAuthentications", requestAuthentications(w))
        .put("rbac", rbac(w, t.hostname(), !authz.isEmpty()))
        .put("destinationRules", destinationRules(t.hostname(), w.labels()))
        .put("virtualServices", virtualServices(t.hostname()));
  }

  /** The VirtualServices with a route to {@code hostname}. */
  private JsonArray virtualServices(String hostname) {
    JsonArray out = new JsonArray();
    for (Resource r : sorted("networking.istio.io", "VirtualService")) {
      List<String> destinations = new ArrayList<>();
      for (String section : List.of("http", "tcp", "tls")) {
        for (Map<String, Object> route : maps(r.spec().get(section))) {
          for (Map<String, Object> dest : maps(route.get("route"))) {
            if (dest.get("destination") instanceof Map<?, ?> d && d.get("host") instanceof String h
                && hostMatches(fqdn(h, r.namespace()), hostname)) {
              Object subset = d.get("subset");
              String shown = subset == null ? h : h + " subset " + subset;
              if (!destinations.contains(shown)) {
                destinations.add(shown);
              }
            }
          }
        }
      }
      if (!destinations.isEmpty()) {
        out.add(new JsonObject().put("name", r.name()).put("namespace", r.namespace())
            .put("hosts", new JsonArray(strings(r.spec().get("hosts"))))
            .put("gateways", new JsonArray(strings(r.spec().get("gateways"))))
            .put("destinations", new JsonArray(destinations)));
      }
    }
    return out;
  }

  private JsonArray authorizationPolicies(WorkloadInfo w) {
    return selecting(w, "AuthorizationPolicy", AuthorizationPolicy.class, AuthorizationPolicy::selector, (p, entry) -> {
      AuthorizationPolicy.Action action = p.action() == null ? AuthorizationPolicy.Action.ALLOW : p.action();
      return entry.put("action", action.name()).put("rules", p.rules() == null ? 0 : p.rules().size());
    });
  }

  private JsonArray requestAuthentications(WorkloadInfo w) {
    return selecting(w, "RequestAuthentication", RequestAuthentication.class, RequestAuthentication::selector,
        (a, entry) -> {
          JsonArray issuers = new JsonArray();
          if (a.jwtRules() != null) {
            a.jwtRules().forEach(j -> issuers.add(j.issuer()));
          }
          return entry.put("issuers", issuers);
        });
  }

  /**
   * The valid resources of a {@code security.istio.io} kind whose selector reaches {@code w}, each
   * as {@code name}, {@code namespace}, {@code selectedBy} and what {@code details} adds.
   */
  private <T extends Record> JsonArray selecting(WorkloadInfo w, String kind, Class<T> type,
      Function<T, WorkloadSelector> selector, BiFunction<T, JsonObject, JsonObject> details) {
    JsonArray out = new JsonArray();
    for (Resource r : sorted("security.istio.io", kind)) {
      Bound<T> b = SecurityModel.bind(r, type);
      String scope = b.errors().isEmpty() ? scope(r, selector.apply(b.value()), w) : null;
      if (scope != null) {
        out.add(details.apply(b.value(),
            new JsonObject().put("name", r.name()).put("namespace", r.namespace()).put("selectedBy", scope)));
      }
    }
    return out;
  }

  /**
   * How a selector-bearing policy of {@code r}'s namespace reaches {@code w}: {@code selector
   * app=reviews}, {@code namespace-wide}, {@code mesh-wide}, or {@code null} when it does not.
   */
  private String scope(Resource r, WorkloadSelector selector, WorkloadInfo w) {
    if (!WorkloadSelector.applies(selector, r.namespace(), rootNamespace, w.namespace(), w.labels())) {
      return null;
    }
    boolean root = r.namespace().equals(rootNamespace);
    Map<String, String> wanted = WorkloadSelector.wanted(selector);
    if (!wanted.isEmpty()) {
      return "selector " + labels(wanted);
    }
    return root ? "mesh-wide" : "namespace-wide";
  }

  private JsonObject rbac(WorkloadInfo w, String hostname, boolean authorizationPolicySelects) {
    RbacConfig config = null;
    String configName = "";
    for (Resource r : sorted("rbac.istio.io", "ClusterRbacConfig", "RbacConfig")) {
      Bound<RbacConfig> b = SecurityModel.bind(r, RbacConfig.class);
      if (b.errors().isEmpty()) {
        config = b.value();
        configName = r.kind() + " " + r.name();
        break;
      }
    }
    JsonObject out = new JsonObject();
    if (config == null) {
      return out.put("included", false).put("reason", "no ClusterRbacConfig");
    }
    String fqdn = w.service() + "." + w.namespace() + ".svc." + CLUSTER_DOMAIN;
    RbacConfig.Mode mode = config.mode() == null ? RbacConfig.Mode.OFF : config.mode();
    boolean included = config.includes(w.namespace(), fqdn);
    out.put("config", configName).put("mode", mode.name()).put("included", included);
    if (!included) {
      return out;
    }
    out.put("enforcementMode", config.enforcementMode() == null ? "ENFORCED" : config.enforcementMode().name());
    // Istio 1.4: an AuthorizationPolicy selecting the workload takes precedence over rbac.istio.io.
    out.put("overriddenByAuthorizationPolicy", authorizationPolicySelects);
    Map<String, ServiceRole> roles = new TreeMap<>();
    for (Resource r : sorted("rbac.istio.io", "ServiceRole")) {
      Bound<ServiceRole> b = SecurityModel.bind(r, ServiceRole.class);
      if (r.namespace().equals(w.namespace()) && b.errors().isEmpty()) {
        roles.put(r.name(), b.value());
      }
    }
    Map<String, JsonArray> bindingsByRole = new TreeMap<>();
    for (Resource r : sorted("rbac.istio.io", "ServiceRoleBinding")) {
      Bound<ServiceRoleBinding> b = SecurityModel.bind(r, ServiceRoleBinding.class);
      if (!r.namespace().equals(w.namespace()) || !b.errors().isEmpty()) {
        continue;
      }
      String role = b.value().roleRef() != null ? b.value().roleRef().name() : b.value().role();
      ServiceRole sr = role == null ? null : roles.get(role);
      List<ServiceRole.AccessRule> rules = sr != null ? sr.rules() : role == null ? b.value().actions() : null;
      if (rules != null && rules.stream().anyMatch(a -> servesTo(a, fqdn))) {
        bindingsByRole.computeIfAbsent(role == null ? "(inline actions)" : role, k -> new JsonArray()).add(r.name());
      }
    }
    JsonArray bound = new JsonArray();
    bindingsByRole.forEach((role, bindings) -> bound.add(new JsonObject().put("role", role).put("bindings", bindings)));
    return out.put("roles", bound);
  }

  /** Whether the rule's services (with Istio's prefix and suffix {@code *}) name {@code fqdn}. */
  private static boolean servesTo(ServiceRole.AccessRule a, String fqdn) {
    if (a.notServices() != null && a.notServices().stream().anyMatch(s -> glob(s, fqdn))) {
      return false;
    }
    return a.services() == null || a.services().isEmpty() || a.services().stream().anyMatch(s -> glob(s, fqdn));
  }

  private static boolean glob(String pattern, String value) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*")) {
      return value.endsWith(pattern.substring(1));
    }
    if (pattern.endsWith("*")) {
      return value.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(value);
  }

  private JsonArray destinationRules(String hostname, Map<String, String> labels) {
    JsonArray out = new JsonArray();
    for (Resource r : sorted("networking.istio.io", "DestinationRule")) {
      Object host = r.spec().get("host");
      if (!(host instanceof String h) || !hostMatches(fqdn(h, r.namespace()), hostname)) {
        continue;
      }
      JsonArray subsets = new JsonArray();
      JsonArray matching = new JsonArray();
      for (Map<String, Object> s : maps(r.spec().get("subsets"))) {
        String name = String.valueOf(s.get("name"));
        subsets.add(name);
        Map<String, Object> want = s.get("labels") instanceof Map<?, ?> m ? cast(m) : Map.of();
        if (want.entrySet().stream().allMatch(e -> String.valueOf(e.getValue()).equals(labels.get(e.getKey())))) {
          matching.add(name);
        }
      }
      String tls = "";
      if (r.spec().get("trafficPolicy") instanceof Map<?, ?> tp && tp.get("tls") instanceof Map<?, ?> t
          && t.get("mode") != null) {
        tls = String.valueOf(t.get("mode"));
      }
      out.add(new JsonObject().put("name", r.name()).put("namespace", r.namespace()).put("host", h)
          .put("subsets", subsets).put("matchingSubsets", matching).put("tlsMode", tls));
    }
    return out;
  }

  private List<Resource> sorted(String group, String... kinds) {
    List<String> k = List.of(kinds);
    return resources.stream().filter(r -> r.group().equals(group) && k.contains(r.kind()))
        .sorted(Comparator.comparing((Resource r) -> r.namespace()).thenComparing(Resource::name)).toList();
  }

  /** Istio's completion of a short host: {@code reviews} in {@code default} is {@code reviews.default.svc.cluster.local}. */
  static String fqdn(String host, String namespace) {
    if (host.contains(".") || host.equals("*")) {
      return host;
    }
    return host + "." + namespace + ".svc." + CLUSTER_DOMAIN;
  }

  private static boolean hostMatches(String pattern, String hostname) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*.")) {
      return hostname.endsWith(pattern.substring(1));
    }
    return pattern.equalsIgnoreCase(hostname);
  }

  static String protocol(ServicePort p) {
    if (!p.protocol().isEmpty()) {
      return p.protocol().toLowerCase(java.util.Locale.ROOT);
    }
    String name = p.name();
    int dash = name.indexOf('-');
    return dash < 0 ? name : name.substring(0, dash);
  }

  private static String labels(Map<String, String> m) {
    return String.join(",", new TreeMap<>(m).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private static List<Map<String, Object>> maps(Object o) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (o instanceof List<?> l) {
      for (Object e : l) {
        if (e instanceof Map<?, ?> m) {
          out.add(cast(m));
        }
      }
    }
    return out;
  }

  private static List<Object> strings(Object o) {
    return o instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
  }
}
