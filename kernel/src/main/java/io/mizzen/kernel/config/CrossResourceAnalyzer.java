package io.mizzen.kernel.config;

import io.mizzen.kernel.config.ConfigProblem.Severity;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.networking.Destination;
import io.mizzen.spi.config.networking.DestinationRule;
import io.mizzen.spi.config.networking.Gateway;
import io.mizzen.spi.config.networking.NetworkingModel;
import io.mizzen.spi.config.networking.ServiceEntry;
import io.mizzen.spi.config.networking.Sidecar;
import io.mizzen.spi.config.networking.VirtualService;
import io.mizzen.spi.config.security.SecurityModel;
import io.mizzen.spi.config.security.ServiceRoleBinding;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link MeshAnalyzer}: builds an index of the whole view, then checks each subject resource. */
final class CrossResourceAnalyzer implements MeshAnalyzer {
  private final Map<ResourceKey, Typed> typed = new java.util.concurrent.ConcurrentHashMap<>();
  private final boolean unresolvedHostIsError;

  CrossResourceAnalyzer(boolean unresolvedHostIsError) {
    this.unresolvedHostIsError = unresolvedHostIsError;
  }

  @Override
  public List<ConfigProblem> analyze(List<Resource> subject, Collection<Resource> applied, Set<String> discoveredHosts) {
    Map<ResourceKey, Resource> view = new LinkedHashMap<>();
    applied.forEach(r -> view.put(r.key(), r));
    subject.forEach(r -> view.put(r.key(), r));
    typed.keySet().retainAll(view.keySet());
    Index index = new Index(view.values(), discoveredHosts);
    List<ConfigProblem> out = new ArrayList<>();
    Set<ResourceKey> seen = new HashSet<>();
    for (Resource r : subject) {
      if (!seen.add(r.key()) || view.get(r.key()) != r) {
        continue; // a later resource of the same key replaced this one
      }
      Findings f = new Findings(r);
      switch (r.kind()) {
        case "VirtualService" -> bind(r, VirtualService.class).ifPresent(vs -> virtualService(r, vs, index, f));
        case "DestinationRule" -> bind(r, DestinationRule.class).ifPresent(dr -> {
          String host = MeshAnalyzer.fqdn(dr.host(), r.namespace());
          if (!index.resolves(host)) {
            f.warn("spec.host", "host '" + dr.host() + "' resolves to no Service, ServiceEntry or registered workload");
          }
          for (Resource other : index.ruleOwners.getOrDefault(host, List.of())) {
            if (!other.key().equals(r.key())) {
              f.warn("spec.host", "DestinationRule " + other.namespace() + "/" + other.name() + " (" + other.location()
                  + ") is also for host " + host + "; only one of them takes effect");
            }
          }
        });
        case "Sidecar" -> bind(r, Sidecar.class).ifPresent(sc -> {
          if (sc.workloadSelector() == null) {
            for (Resource other : index.namespaceSidecars.getOrDefault(r.namespace(), List.of())) {
              if (!other.key().equals(r.key())) {
                f.error("spec.workloadSelector", "Sidecar " + other.name() + " (" + other.location()
                    + ") already applies to the whole namespace " + r.namespace() + "; give one a workloadSelector");
              }
            }
          }
        });
        case "ServiceRoleBinding" -> {
          if (r.group().equals("rbac.istio.io")) {
            Bound<ServiceRoleBinding> b = SecurityModel.bind(r, ServiceRoleBinding.class);
            if (b.valid() && b.value().roleRef() != null
                && !index.keys.contains(new ResourceKey("ServiceRole", r.namespace(), b.value().roleRef().name()))) {
              f.error("spec.roleRef.name", "ServiceRole '" + b.value().roleRef().name() + "' does not exist in namespace "
                  + r.namespace());
            }
          }
        }
        default -> { }
      }
      out.addAll(f.problems());
    }
    return out;
  }

  /**
   * The typed view of a networking resource, bound once per resource instance: a store analyzes
   * each batch against thousands of unchanged resources, and binding them all again would cost
   * far more than the batch itself.
   */
  private <T extends Record> java.util.Optional<T> bind(Resource r, Class<T> type) {
    if (!r.group().equals(NetworkingModel.GROUP)) {
      return java.util.Optional.empty();
    }
    Typed cached = typed.get(r.key());
    if (cached == null || cached.resource() != r) {
      Bound<T> b = NetworkingModel.bind(r, type);
      cached = new Typed(r, b.valid() ? b.value() : null);
      typed.put(r.key(), cached);
    }
    return type.isInstance(cached.value()) ? java.util.Optional.of(type.cast(cached.value())) : java.util.Optional.empty();
  }

  /** A resource and its typed spec ({@code null} when invalid). */
  private record Typed(Resource resource, Record value) {}

  private void virtualService(Resource r, VirtualService vs, Index index, Findings f) {
    List<String> gateways = vs.gateways().isEmpty() ? List.of("mesh") : vs.gateways();
    for (int i = 0; i < vs.gateways().size(); i++) {
      gateway(vs.gateways().get(i), r.namespace(), "spec.gateways[" + i + "]", index, f);
      gatewayHosts(vs.gateways().get(i), vs.hosts(), r.namespace(), "spec.gateways[" + i + "]", index, f);
    }
    for (int i = 0; i < vs.hosts().size(); i++) {
      String host = MeshAnalyzer.fqdn(vs.hosts().get(i), r.namespace());
      for (String gw : gateways) {
        String gwKey = gw.equals("mesh") ? "mesh" : gatewayKey(gw, r.namespace());
        for (Resource other : index.hostOwners.getOrDefault(gwKey + "|" + host, List.of())) {
          if (!other.key().equals(r.key())) {
            f.error("spec.hosts[" + i + "]", "host '" + vs.hosts().get(i) + "' on gateway " + gw
                + " is also claimed by VirtualService " + other.namespace() + "/" + other.name()
                + " (" + other.location() + "); merge them into one");
          }
        }
      }
    }
    for (int i = 0; i < vs.http().size(); i++) {
      var route = vs.http().get(i);
      String p = "spec.http[" + i + "]";
      for (int d = 0; d < route.route().size(); d++) {
        destination(route.route().get(d).destination(), r.namespace(), p + ".route[" + d + "].destination", index, f);
      }
      if (route.mirror() != null) {
        destination(route.mirror(), r.namespace(), p + ".mirror", index, f);
      }
      for (int m = 0; m < route.match().size(); m++) {
        List<String> g = route.match().get(m).gateways();
        for (int j = 0; j < g.size(); j++) {
          gateway(g.get(j), r.namespace(), p + ".match[" + m + "].gateways[" + j + "]", index, f);
        }
      }
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      for (int d = 0; d < vs.tcp().get(i).route().size(); d++) {
        destination(vs.tcp().get(i).route().get(d).destination(), r.namespace(),
            "spec.tcp[" + i + "].route[" + d + "].destination", index, f);
      }
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      for (int d = 0; d < vs.tls().get(i).route().size(); d++) {
        destination(vs.tls().get(i).route().get(d).destination(), r.namespace(),
            "spec.tls[" + i + "].route[" + d + "].destination", index, f);
      }
    }
  }

  private static void gateway(String gw, String namespace, String field, Index index, Findings f) {
    if (gw.equals("mesh")) {
      return;
    }
    String[] key = gatewayKey(gw, namespace).split("/", 2);
    if (!index.keys.contains(new ResourceKey("Gateway", key[0], key[1]))) {
      f.error(field, "Gateway '" + gw + "' does not exist (looked for " + key[0] + "/" + key[1] + ")");
    }
  }

  /** Warns when no host of the VirtualService is served by the gateway: it would never match. */
  private static void gatewayHosts(String gw, List<String> hosts, String namespace, String field, Index index, Findings f) {
    List<String> served = index.gatewayHosts.get(gatewayKey(gw, namespace));
    if (served == null) {
      return;
    }
    boolean any = hosts.stream().anyMatch(h -> served.stream().anyMatch(s -> hostMatches(s, h)));
    if (!any) {
      f.warn(field, "Gateway '" + gw + "' serves none of the hosts " + hosts + " (it serves " + served + ")");
    }
  }

  private static boolean hostMatches(String pattern, String host) {
    if (pattern.equals("*") || host.equals("*") || pattern.equals(host)) {
      return true;
    }
    if (pattern.startsWith("*.") && host.endsWith(pattern.substring(1))) {
      return true;
    }
    return host.startsWith("*.") && pattern.endsWith(host.substring(1));
  }

  private static String gatewayKey(String gw, String namespace) {
    return gw.contains("/") ? gw : namespace + "/" + gw;
  }

  private void destination(Destination d, String namespace, String p, Index index, Findings f) {
    String host = MeshAnalyzer.fqdn(d.host(), namespace);
    if (!index.resolves(host)) {
      String message = "host '" + d.host() + "' (" + host + ") resolves to no Service, ServiceEntry or registered workload";
      if (unresolvedHostIsError) {
        f.error(p + ".host", message);
      } else {
        f.warn(p + ".host", message);
      }
    }
    if (d.subset() != null) {
      Set<String> subsets = index.subsets.get(host);
      if (subsets == null) {
        f.error(p + ".subset", "subset '" + d.subset() + "' is referenced but no DestinationRule is defined for host " + host);
      } else if (!subsets.contains(d.subset())) {
        f.error(p + ".subset", "subset '" + d.subset() + "' is defined by no DestinationRule for host " + host
            + " (defined: " + String.join(", ", subsets.stream().sorted().toList()) + ")");
      }
    }
  }

  /** What the analysis looks things up in. */
  private final class Index {
    final Set<ResourceKey> keys = new HashSet<>();
    final Set<String> hosts = new HashSet<>();
    final List<String> wildcardHosts = new ArrayList<>();
    final Map<String, Set<String>> subsets = new HashMap<>();
    final Map<String, List<Resource>> hostOwners = new HashMap<>();
    final Map<String, List<Resource>> ruleOwners = new HashMap<>();
    final Map<String, List<Resource>> namespaceSidecars = new HashMap<>();
    final Map<String, List<String>> gatewayHosts = new HashMap<>();

    Index(Collection<Resource> view, Set<String> discovered) {
      hosts.addAll(discovered);
      for (Resource r : view) {
        keys.add(r.key());
        if (r.kind().equals("Service") && r.group().isEmpty()) {
          hosts.add(r.name() + "." + r.namespace() + "." + DOMAIN_SUFFIX);
        }
        if (r.kind().equals("ServiceEntry")) {
          bind(r, ServiceEntry.class).ifPresent(se -> se.hosts().forEach(h -> {
            String fq = MeshAnalyzer.fqdn(h, r.namespace());
            (fq.startsWith("*.") ? wildcardHosts : hosts).add(fq.startsWith("*.") ? fq.substring(1) : fq);
          }));
        }
        if (r.kind().equals("DestinationRule")) {
          bind(r, DestinationRule.class).ifPresent(dr -> {
            String host = MeshAnalyzer.fqdn(dr.host(), r.namespace());
            subsets.computeIfAbsent(host, h -> new HashSet<>()).addAll(DestinationRuleChecks.subsets(dr).keySet());
            ruleOwners.computeIfAbsent(host, h -> new ArrayList<>()).add(r);
          });
        }
        if (r.kind().equals("Sidecar")) {
          bind(r, Sidecar.class).filter(sc -> sc.workloadSelector() == null)
              .ifPresent(sc -> namespaceSidecars.computeIfAbsent(r.namespace(), n -> new ArrayList<>()).add(r));
        }
        if (r.kind().equals("Gateway")) {
          bind(r, Gateway.class).ifPresent(gw -> gatewayHosts.put(r.namespace() + "/" + r.name(), gw.servers().stream()
              .flatMap(s -> s.hosts().stream()).map(h -> h.contains("/") ? h.substring(h.indexOf('/') + 1) : h).toList()));
        }
        if (r.kind().equals("VirtualService")) {
          bind(r, VirtualService.class).ifPresent(vs -> {
            List<String> gws = vs.gateways().isEmpty() ? List.of("mesh") : vs.gateways();
            for (String gw : gws) {
              String gwKey = gw.equals("mesh") ? "mesh" : gatewayKey(gw, r.namespace());
              for (String h : vs.hosts()) {
                hostOwners.computeIfAbsent(gwKey + "|" + MeshAnalyzer.fqdn(h, r.namespace()), k -> new ArrayList<>()).add(r);
              }
            }
          });
        }
      }
    }

    boolean resolves(String host) {
      return hosts.contains(host) || wildcardHosts.stream().anyMatch(host::endsWith);
    }
  }
}
