package io.mizzen.proxy.authz;

import io.mizzen.spi.config.security.AuthorizationPolicy;
import io.mizzen.spi.config.security.AuthorizationPolicy.Condition;
import io.mizzen.spi.config.security.AuthorizationPolicy.Operation;
import io.mizzen.spi.config.security.AuthorizationPolicy.Rule;
import io.mizzen.spi.config.security.AuthorizationPolicy.Source;
import io.mizzen.spi.proxy.WorkloadInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One AuthorizationPolicy checked once and ready to match.
 *
 * @param ref {@code namespace/name}
 * @param namespace where it lives
 * @param spec the policy
 */
record CompiledPolicy(String ref, String namespace, AuthorizationPolicy spec) {
  AuthorizationPolicy.Action action() {
    return spec.action() == null ? AuthorizationPolicy.Action.ALLOW : spec.action();
  }

  /** Errors in the spec that binding cannot see, as {@code field: message}. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    String actionProblem = AuthorizationPolicy.actionProblem(action());
    if (actionProblem != null) {
      problems.add("spec.action: " + actionProblem);
    }
    List<Rule> rules = spec.rules() == null ? List.of() : spec.rules();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      String at = "spec.rules[" + i + "]";
      List<AuthorizationPolicy.From> from = rule.from() == null ? List.of() : rule.from();
      for (int j = 0; j < from.size(); j++) {
        Source s = from.get(j).source();
        for (List<String> blocks : List.of(nullToEmpty(s.ipBlocks()), nullToEmpty(s.notIpBlocks()))) {
          for (String block : blocks) {
            try {
              IpBlocks.validate(block);
            } catch (IllegalArgumentException e) {
              problems.add(at + ".from[" + j + "].source.ipBlocks: " + e.getMessage());
            }
          }
        }
      }
      List<Operation> ops = rule.to() == null ? List.of() : rule.to().stream().map(AuthorizationPolicy.To::operation).toList();
      for (int j = 0; j < ops.size(); j++) {
        for (String port : concat(ops.get(j).ports(), ops.get(j).notPorts())) {
          if (!port.matches("\\d{1,5}")) {
            problems.add(at + ".to[" + j + "].operation.ports: '" + port + "' is not a port number");
          }
        }
      }
      List<Condition> when = rule.when() == null ? List.of() : rule.when();
      for (int j = 0; j < when.size(); j++) {
        String keyProblem = AuthorizationPolicy.whenKeyProblem(when.get(j).key());
        if (keyProblem != null) {
          problems.add(at + ".when[" + j + "].key: " + keyProblem);
        }
      }
    }
    return problems;
  }

  /** Whether the policy applies to {@code workload}. */
  boolean selects(WorkloadInfo workload, String rootNamespace) {
    return io.mizzen.spi.config.security.WorkloadSelector.applies(spec.selector(), namespace, rootNamespace,
        workload.namespace(), workload.labels());
  }

  /** Whether any rule matches; a policy without rules matches nothing (so an ALLOW of it denies all). */
  boolean matches(RequestView r) {
    for (Rule rule : spec.rules() == null ? List.<Rule>of() : spec.rules()) {
      if (matches(rule, r)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@link #matches} for a connection relayed as bytes ({@link AuthorizationEngine#decideConnection}):
   * a rule naming an HTTP-only field never matches in an ALLOW policy, and matches without those
   * fields in a DENY policy.
   */
  boolean matchesConnection(RequestView r) {
    boolean deny = action() == AuthorizationPolicy.Action.DENY;
    for (Rule rule : spec.rules() == null ? List.<Rule>of() : spec.rules()) {
      Rule tcp = withoutHttpFields(rule);
      if ((tcp == rule || deny) && matches(tcp, r)) {
        return true;
      }
    }
    return false;
  }

  /** The rule without its HTTP-only fields; the same instance when it has none. */
  private static Rule withoutHttpFields(Rule rule) {
    boolean http = false;
    List<AuthorizationPolicy.From> from = new ArrayList<>();
    for (AuthorizationPolicy.From f : rule.from() == null ? List.<AuthorizationPolicy.From>of() : rule.from()) {
      Source s = f.source();
      http |= !nullToEmpty(s.requestPrincipals()).isEmpty() || !nullToEmpty(s.notRequestPrincipals()).isEmpty();
      from.add(new AuthorizationPolicy.From(new Source(s.principals(), s.notPrincipals(), null, null, s.namespaces(),
          s.notNamespaces(), s.ipBlocks(), s.notIpBlocks())));
    }
    List<AuthorizationPolicy.To> to = new ArrayList<>();
    for (AuthorizationPolicy.To t : rule.to() == null ? List.<AuthorizationPolicy.To>of() : rule.to()) {
      Operation o = t.operation();
      http |= !concat(o.hosts(), o.notHosts()).isEmpty() || !concat(o.methods(), o.notMethods()).isEmpty()
          || !concat(o.paths(), o.notPaths()).isEmpty();
      to.add(new AuthorizationPolicy.To(new Operation(null, null, o.ports(), o.notPorts(), null, null, null, null)));
    }
    List<Condition> when = new ArrayList<>();
    for (Condition c : rule.when() == null ? List.<Condition>of() : rule.when()) {
      if (c.key().startsWith("request.")) {
        http = true;
      } else {
        when.add(c);
      }
    }
    return http ? new Rule(from, to, when) : rule;
  }

  private static boolean matches(Rule rule, RequestView r) {
    if (rule.from() != null && !rule.from().isEmpty() && rule.from().stream().noneMatch(f -> source(f.source(), r))) {
      return false;
    }
    if (rule.to() != null && !rule.to().isEmpty() && rule.to().stream().noneMatch(t -> operation(t.operation(), r))) {
      return false;
    }
    return rule.when() == null || rule.when().stream().allMatch(c -> condition(c, r));
  }

  private static boolean source(Source s, RequestView r) {
    return ValueMatch.constrain(s.principals(), s.notPrincipals(), l -> ValueMatch.any(l, r.principal()))
        && ValueMatch.constrain(s.requestPrincipals(), s.notRequestPrincipals(), l -> ValueMatch.any(l, r.auth().principal()))
        && ValueMatch.constrain(s.namespaces(), s.notNamespaces(), l -> ValueMatch.any(l, r.namespace()))
        && ValueMatch.constrain(s.ipBlocks(), s.notIpBlocks(), l -> l.stream().anyMatch(b -> IpBlocks.contains(b, r.sourceIp())));
  }

  private static boolean operation(Operation o, RequestView r) {
    String path = r.path();
    int query = path.indexOf('?');
    String bare = query < 0 ? path : path.substring(0, query);
    return ValueMatch.constrain(o.hosts(), o.notHosts(), l -> ValueMatch.anyIgnoreCase(l, r.host()))
        && ValueMatch.constrain(o.ports(), o.notPorts(), l -> l.contains(Integer.toString(r.port())))
        && ValueMatch.constrain(o.methods(), o.notMethods(), l -> ValueMatch.any(l, r.method()))
        && ValueMatch.constrain(o.paths(), o.notPaths(), l -> ValueMatch.any(l, bare));
  }

  private static boolean condition(Condition c, RequestView r) {
    List<String> actual = attribute(c.key(), r);
    return ValueMatch.constrain(c.values(), c.notValues(), l -> actual.stream().anyMatch(v -> ValueMatch.any(l, v)));
  }

  private static List<String> attribute(String key, RequestView r) {
    String header = AuthorizationPolicy.bracketed(key, "request.headers");
    if (header != null) {
      String v = r.headers().get(header.toLowerCase(java.util.Locale.ROOT));
      return v == null ? List.of() : List.of(v);
    }
    String claim = AuthorizationPolicy.bracketed(key, "request.auth.claims");
    if (claim != null) {
      return r.auth().claims().getOrDefault(claim, List.of());
    }
    return switch (key) {
      case "source.ip" -> List.of(r.sourceIp());
      case "source.namespace" -> List.of(r.namespace());
      case "source.principal" -> List.of(r.principal());
      case "request.auth.principal" -> List.of(r.auth().principal());
      case "request.auth.audiences" -> r.auth().audiences();
      case "request.auth.presenter" -> List.of(r.auth().presenter());
      case "destination.port" -> List.of(Integer.toString(r.port()));
      default -> List.of();
    };
  }

  private static List<String> nullToEmpty(List<String> l) {
    return l == null ? List.of() : l;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(nullToEmpty(a));
    out.addAll(nullToEmpty(b));
    return out;
  }
}
