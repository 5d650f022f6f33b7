package io.mizzen.proxy.authz;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.security.EnforcementMode;
import io.mizzen.spi.config.security.RbacConfig;
import io.mizzen.spi.config.security.SecurityModel;
import io.mizzen.spi.config.security.ServiceRole;
import io.mizzen.spi.config.security.ServiceRoleBinding;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link RbacEngine} over bound ClusterRbacConfig, ServiceRole and ServiceRoleBinding resources. */
final class RbacPolicies implements RbacEngine {
  private static final Set<String> SUBJECT_PROPERTIES = Set.of("source.namespace", "source.principal", "source.ip",
      "request.auth.principal", "request.auth.audiences", "request.auth.presenter");

  /** A binding resolved to its permissions. */
  private record Grant(String ref, ServiceRoleBinding binding, List<ServiceRole.AccessRule> rules) {
    boolean permissive() {
      return binding.mode() == EnforcementMode.PERMISSIVE;
    }
  }

  private final RbacConfig config;
  private final Map<String, List<Grant>> grantsByNamespace;
  private final String clusterDomain;

  private RbacPolicies(RbacConfig config, Map<String, List<Grant>> grants, String clusterDomain) {
    this.config = config;
    this.grantsByNamespace = grants;
    this.clusterDomain = clusterDomain;
  }

  static RbacPolicies compile(Collection<Resource> resources, String clusterDomain) {
    List<String> errors = new ArrayList<>();
    RbacConfig config = null;
    Map<String, ServiceRole> roles = new HashMap<>();
    List<Resource> bindings = new ArrayList<>();
    for (Resource r : resources) {
      if (!r.group().equals("rbac.istio.io")) {
        continue;
      }
      String where = where(r);
      switch (r.kind()) {
        case "ClusterRbacConfig", "RbacConfig" -> {
          RbacConfig c = bind(r, RbacConfig.class, where, errors);
          if (c != null && config != null) {
            errors.add(where + ": a second " + r.kind() + "; the mesh has one (named default)");
          } else if (c != null) {
            config = c;
          }
        }
        case "ServiceRole" -> {
          ServiceRole role = bind(r, ServiceRole.class, where, errors);
          if (role != null) {
            roles.put(r.namespace() + "/" + r.name(), role);
          }
        }
        case "ServiceRoleBinding" -> bindings.add(r);
        default -> errors.add(where + ": kind " + r.kind() + " is not an rbac.istio.io kind");
      }
    }
    Map<String, List<Grant>> grants = new HashMap<>();
    for (Resource r : bindings) {
      String where = where(r);
      ServiceRoleBinding b = bind(r, ServiceRoleBinding.class, where, errors);
      if (b == null) {
        continue;
      }
      List<ServiceRole.AccessRule> rules;
      String roleName = b.roleRef() != null ? b.roleRef().name() : b.role();
      if (roleName != null) {
        if (b.roleRef() != null && !"ServiceRole".equals(b.roleRef().kind())) {
          errors.add(where + ": spec.roleRef.kind: '" + b.roleRef().kind() + "' (only ServiceRole)");
          continue;
        }
        ServiceRole role = roles.get(r.namespace() + "/" + roleName);
        if (role == null) {
          errors.add(where + ": spec.roleRef.name: no ServiceRole '" + roleName + "' in namespace " + r.namespace());
          continue;
        }
        rules = role.rules();
      } else if (b.actions() != null && !b.actions().isEmpty()) {
        rules = b.actions();
      } else {
        errors.add(where + ": spec: needs roleRef, role or actions");
        continue;
      }
      for (int i = 0; i < b.subjects().size(); i++) {
        ServiceRoleBinding.Subject s = b.subjects().get(i);
        if (s.group() != null || (s.groups() != null && !s.groups().isEmpty())) {
          errors.add(where + ": spec.subjects[" + i + "].group: groups are not supported (use properties request.auth.claims[groups])");
        }
        if (s.properties() != null) {
          for (String key : s.properties().keySet()) {
            if (!SUBJECT_PROPERTIES.contains(key) && !key.startsWith("request.headers[") && !key.startsWith("request.auth.claims[")) {
              errors.add(where + ": spec.subjects[" + i + "].properties: '" + key + "' is not a supported attribute");
            }
          }
        }
      }
      grants.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(new Grant(r.namespace() + "/" + r.name(), b, rules));
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid rbac.istio.io configuration:\n  " + String.join("\n  ", errors));
    }
    return new RbacPolicies(config, grants, clusterDomain);
  }

  private static String where(Resource r) {
    return (r.location() == null ? "" : r.location().origin() + ": ") + r.kind() + " " + r.namespace() + "/" + r.name();
  }

  private static <T extends Record> T bind(Resource r, Class<T> type, String where, List<String> errors) {
    Bound<T> bound = SecurityModel.bind(r, type);
    for (ConfigError e : bound.errors()) {
      errors.add(where + ": " + e.field() + ": " + e.message());
    }
    return bound.errors().isEmpty() ? bound.value() : null;
  }

  private String fqdn(WorkloadInfo w) {
    return w.service() + "." + w.namespace() + ".svc." + clusterDomain;
  }

  private boolean rbacOn(WorkloadInfo w) {
    return config != null && config.includes(w.namespace(), fqdn(w));
  }

  @Override
  public boolean appliesTo(WorkloadInfo workload) {
    return rbacOn(workload);
  }

  @Override
  public Decision decide(WorkloadInfo workload, RequestView request) {
    if (!rbacOn(workload)) {
      return Decision.allow("", "RBAC is off for " + fqdn(workload));
    }
    if (config.enforcementMode() == EnforcementMode.PERMISSIVE) {
      return Decision.allow("", "RBAC is PERMISSIVE (not enforced) for " + fqdn(workload));
    }
    return evaluate(workload, request, false);
  }

  @Override
  public Decision shadow(WorkloadInfo workload, RequestView request) {
    if (!rbacOn(workload)) {
      return Decision.allow("", "RBAC is off for " + fqdn(workload));
    }
    return evaluate(workload, request, true);
  }

  private Decision evaluate(WorkloadInfo workload, RequestView request, boolean withPermissive) {
    for (Grant g : grantsByNamespace.getOrDefault(workload.namespace(), List.of())) {
      if ((withPermissive || !g.permissive()) && g.binding().subjects().stream().anyMatch(s -> subject(s, request))
          && g.rules().stream().anyMatch(rule -> rule(rule, workload, request))) {
        return Decision.allow(g.ref(), "allowed by ServiceRoleBinding " + g.ref());
      }
    }
    return Decision.deny("", "RBAC: no ServiceRoleBinding in " + workload.namespace() + " grants this request to " + fqdn(workload));
  }

  private static boolean subject(ServiceRoleBinding.Subject s, RequestView r) {
    if (s.user() != null && !ValueMatch.matches(s.user(), r.principal()) && !(s.user().equals("*"))) {
      return false;
    }
    if (s.properties() != null) {
      for (Map.Entry<String, String> p : s.properties().entrySet()) {
        if (!attribute(p.getKey(), r).stream().anyMatch(v -> ValueMatch.matches(p.getValue(), v))) {
          return false;
        }
      }
    }
    return ValueMatch.constrain(s.names(), s.notNames(), l -> ValueMatch.any(l, r.principal()))
        && ValueMatch.constrain(s.namespaces(), s.notNamespaces(), l -> ValueMatch.any(l, r.namespace()))
        && ValueMatch.constrain(s.ips(), s.notIps(), l -> l.stream().anyMatch(b -> IpBlocks.contains(b, r.sourceIp())));
  }

  private boolean rule(ServiceRole.AccessRule a, WorkloadInfo w, RequestView r) {
    String path = r.path().indexOf('?') < 0 ? r.path() : r.path().substring(0, r.path().indexOf('?'));
    List<String> ports = a.ports() == null ? null : a.ports().stream().map(String::valueOf).toList();
    List<String> notPorts = a.notPorts() == null ? null : a.notPorts().stream().map(String::valueOf).toList();
    boolean matched = ValueMatch.constrain(a.services(), a.notServices(), l -> ValueMatch.any(l, fqdn(w)))
        && ValueMatch.constrain(a.hosts(), a.notHosts(), l -> ValueMatch.anyIgnoreCase(l, r.host()))
        && ValueMatch.constrain(a.paths(), a.notPaths(), l -> ValueMatch.any(l, path))
        && ValueMatch.constrain(a.methods(), a.notMethods(), l -> ValueMatch.any(l, r.method()))
        && ValueMatch.constrain(ports, notPorts, l -> l.contains(Integer.toString(r.port())));
    if (!matched || a.constraints() == null) {
      return matched;
    }
    for (ServiceRole.Constraint c : a.constraints()) {
      List<String> actual = destination(c.key(), w, r);
      if (c.values() != null && !c.values().isEmpty() && actual.stream().noneMatch(v -> ValueMatch.any(c.values(), v))) {
        return false;
      }
    }
    return true;
  }

  private static List<String> destination(String key, WorkloadInfo w, RequestView r) {
    if (key.startsWith("destination.labels[") && key.endsWith("]")) {
      String v = w.labels().get(key.substring("destination.labels[".length(), key.length() - 1));
      return v == null ? List.of() : List.of(v);
    }
    return switch (key) {
      case "destination.port" -> List.of(Integer.toString(r.port()));
      case "destination.name" -> List.of(w.service());
      case "destination.namespace" -> List.of(w.namespace());
      case "destination.user" -> List.of(w.serviceAccount());
      default -> attribute(key, r);
    };
  }

  private static List<String> attribute(String key, RequestView r) {
    if (key.startsWith("request.headers[") && key.endsWith("]")) {
      String v = r.headers().get(key.substring("request.headers[".length(), key.length() - 1).toLowerCase(java.util.Locale.ROOT));
      return v == null ? List.of() : List.of(v);
    }
    if (key.startsWith("request.auth.claims[") && key.endsWith("]")) {
      return r.auth().claims().getOrDefault(key.substring("request.auth.claims[".length(), key.length() - 1), List.of());
    }
    return switch (key) {
      case "source.namespace" -> List.of(r.namespace());
      case "source.principal" -> List.of(r.principal());
      case "source.ip" -> List.of(r.sourceIp());
      case "request.auth.principal" -> List.of(r.auth().principal());
      case "request.auth.audiences" -> r.auth().audiences();
      case "request.auth.presenter" -> List.of(r.auth().presenter());
      default -> List.of();
    };
  }
}
