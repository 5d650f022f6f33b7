package io.mizzen.proxy.authz;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.security.AuthorizationPolicy;
import io.mizzen.spi.config.security.SecurityModel;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** {@link AuthorizationEngine} over compiled policies, kept in a stable (namespace, name) order. */
final class PolicySet implements AuthorizationEngine {
  private final List<CompiledPolicy> policies;
  private final String rootNamespace;

  private PolicySet(List<CompiledPolicy> policies, String rootNamespace) {
    this.policies = List.copyOf(policies);
    this.rootNamespace = rootNamespace;
  }

  static PolicySet compile(Collection<Resource> resources, String rootNamespace) {
    List<CompiledPolicy> compiled = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Resource r : resources) {
      if (!r.group().equals("security.istio.io") || !r.kind().equals("AuthorizationPolicy")) {
        continue;
      }
      String where = (r.location() == null ? "" : r.location().origin() + ": ") + "AuthorizationPolicy " + r.namespace() + "/" + r.name();
      Bound<AuthorizationPolicy> bound = SecurityModel.bind(r, AuthorizationPolicy.class);
      if (!bound.errors().isEmpty()) {
        for (ConfigError e : bound.errors()) {
          errors.add(where + ": " + e.field() + ": " + e.message());
        }
        continue;
      }
      CompiledPolicy p = new CompiledPolicy(r.namespace() + "/" + r.name(), r.namespace(), bound.value());
      List<String> problems = p.problems();
      problems.forEach(m -> errors.add(where + ": " + m));
      if (problems.isEmpty()) {
        compiled.add(p);
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException("invalid AuthorizationPolicy:\n  " + String.join("\n  ", errors));
    }
    compiled.sort(Comparator.comparing(CompiledPolicy::ref));
    return new PolicySet(compiled, rootNamespace);
  }

  @Override
  public Decision decide(WorkloadInfo workload, RequestView request) {
    return decide(workload, p -> p.matches(request));
  }

  @Override
  public Decision decideConnection(WorkloadInfo workload, RequestView connection) {
    return decide(workload, p -> p.matchesConnection(connection));
  }

  private Decision decide(WorkloadInfo workload, java.util.function.Predicate<CompiledPolicy> matches) {
    List<CompiledPolicy> selecting = policies.stream().filter(p -> p.selects(workload, rootNamespace)).toList();
    for (CompiledPolicy p : selecting) {
      if (p.action() == AuthorizationPolicy.Action.DENY && matches.test(p)) {
        return Decision.deny(p.ref(), "denied by DENY policy " + p.ref());
      }
    }
    boolean anyAllow = false;
    for (CompiledPolicy p : selecting) {
      if (p.action() == AuthorizationPolicy.Action.ALLOW) {
        anyAllow = true;
        if (matches.test(p)) {
          return Decision.allow(p.ref(), "allowed by " + p.ref());
        }
      }
    }
    return anyAllow
        ? Decision.deny("", "no ALLOW policy for " + workload.namespace() + "/" + workload.service() + " matches")
        : Decision.allow("", "no ALLOW policy selects " + workload.namespace() + "/" + workload.service());
  }

  @Override
  public List<String> policiesFor(WorkloadInfo workload) {
    return policies.stream().filter(p -> p.selects(workload, rootNamespace)).map(p -> p.ref() + " (" + p.action() + ")").toList();
  }
}
