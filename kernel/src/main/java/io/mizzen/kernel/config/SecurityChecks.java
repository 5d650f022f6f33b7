package io.mizzen.kernel.config;

import io.mizzen.spi.config.security.AuthenticationPolicy;
import io.mizzen.spi.config.security.AuthorizationPolicy;
import io.mizzen.spi.config.security.PeerAuthentication;
import io.mizzen.spi.config.security.RbacConfig;
import io.mizzen.spi.config.security.RequestAuthentication;
import io.mizzen.spi.config.security.ServiceRole;
import io.mizzen.spi.config.security.ServiceRoleBinding;
import java.util.List;
import java.util.Set;

/** The checks of the security kinds that their schema cannot express. */
final class SecurityChecks {
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
      "TRACE", "PATCH", "*");

  private SecurityChecks() {}

  static void check(Record spec, Findings f) {
    if (spec instanceof PeerAuthentication pa) {
      for (String port : pa.portLevelMtls().keySet()) {
        Integer n = parsePort(port);
        if (n == null) {
          f.error("spec.portLevelMtls." + port, "port '" + port + "' is not a number 1-65535");
        }
      }
      if (!pa.portLevelMtls().isEmpty() && (pa.selector() == null || pa.selector().matchLabels().isEmpty())) {
        f.error("spec.portLevelMtls", "portLevelMtls needs a workload selector");
      }
    } else if (spec instanceof AuthorizationPolicy ap) {
      // What the proxy would refuse (the same checks and messages), refused here first.
      String actionProblem = AuthorizationPolicy.actionProblem(ap.action());
      if (actionProblem != null) {
        f.error("spec.action", actionProblem);
      }
      for (int r = 0; r < ap.rules().size(); r++) {
        var rule = ap.rules().get(r);
        for (int t = 0; t < rule.to().size(); t++) {
          var op = rule.to().get(t).operation();
          if (op == null) {
            continue; // the binder's required-field error already
          }
          String p = "spec.rules[" + r + "].to[" + t + "].operation";
          ports(op.ports(), p + ".ports", f);
          ports(op.notPorts(), p + ".notPorts", f);
          methods(op.methods(), p + ".methods", f);
        }
        for (int s = 0; s < rule.from().size(); s++) {
          var source = rule.from().get(s).source();
          if (source == null) {
            continue; // the binder's required-field error already
          }
          String p = "spec.rules[" + r + "].from[" + s + "].source";
          ipBlocks(source.ipBlocks(), p + ".ipBlocks", f);
          ipBlocks(source.notIpBlocks(), p + ".notIpBlocks", f);
        }
        for (int w = 0; w < rule.when().size(); w++) {
          var c = rule.when().get(w);
          if (c.values().isEmpty() && c.notValues().isEmpty()) {
            f.error("spec.rules[" + r + "].when[" + w + "]", "a condition needs values or notValues");
          }
          String keyProblem = c.key() == null ? null : AuthorizationPolicy.whenKeyProblem(c.key());
          if (keyProblem != null) {
            f.error("spec.rules[" + r + "].when[" + w + "].key", keyProblem);
          }
        }
      }
    } else if (spec instanceof RequestAuthentication ra) {
      for (int i = 0; i < ra.jwtRules().size(); i++) {
        var rule = ra.jwtRules().get(i);
        if (rule.jwksUri() != null && !rule.jwksUri().matches("https?://.+")) {
          f.error("spec.jwtRules[" + i + "].jwksUri", "jwksUri must be an http(s) URL");
        }
      }
    } else if (spec instanceof AuthenticationPolicy ap) {
      for (int i = 0; i < ap.targets().size(); i++) {
        for (int j = 0; j < ap.targets().get(i).ports().size(); j++) {
          var port = ap.targets().get(i).ports().get(j);
          f.port("spec.targets[" + i + "].ports[" + j + "].number", port.number());
          if (port.number() == null && (port.name() == null || port.name().isEmpty())) {
            f.error("spec.targets[" + i + "].ports[" + j + "]", "a port selector needs a number or a name (the service's port)");
          }
        }
      }
    } else if (spec instanceof ServiceRole sr) {
      for (int i = 0; i < sr.rules().size(); i++) {
        var rule = sr.rules().get(i);
        methods(rule.methods(), "spec.rules[" + i + "].methods", f);
        for (int j = 0; j < rule.ports().size(); j++) {
          f.port("spec.rules[" + i + "].ports[" + j + "]", rule.ports().get(j));
        }
      }
    } else if (spec instanceof ServiceRoleBinding b) {
      if (b.roleRef() == null && (b.role() == null || b.role().isEmpty()) && b.actions().isEmpty()) {
        f.error("spec.roleRef", "a binding needs roleRef (or role, or actions)");
      }
      if (b.roleRef() != null && b.roleRef().kind() != null && !b.roleRef().kind().equals("ServiceRole")) {
        f.error("spec.roleRef.kind", "roleRef.kind must be ServiceRole, got '" + b.roleRef().kind() + "'");
      }
    } else if (spec instanceof RbacConfig rc) {
      if (rc.mode() == RbacConfig.Mode.ON_WITH_INCLUSION && rc.inclusion() == null) {
        f.error("spec.inclusion", "mode ON_WITH_INCLUSION needs inclusion");
      }
      if (rc.mode() == RbacConfig.Mode.ON_WITH_EXCLUSION && rc.exclusion() == null) {
        f.error("spec.exclusion", "mode ON_WITH_EXCLUSION needs exclusion");
      }
    }
  }

  /** Blocks the proxy can match: it refuses a policy with any other. */
  private static void ipBlocks(List<String> blocks, String p, Findings f) {
    for (int i = 0; i < blocks.size(); i++) {
      if (!ListenerChecks.ipOrCidr(blocks.get(i))) {
        f.error(p + "[" + i + "]", "'" + blocks.get(i) + "' is not an IP address or CIDR block (such as 10.0.0.0/8)");
      }
    }
  }

  private static void ports(List<String> ports, String p, Findings f) {
    for (int i = 0; i < ports.size(); i++) {
      if (parsePort(ports.get(i)) == null) {
        f.error(p + "[" + i + "]", "port '" + ports.get(i) + "' is not a number 1-65535");
      }
    }
  }

  private static void methods(List<String> methods, String p, Findings f) {
    for (int i = 0; i < methods.size(); i++) {
      if (!METHODS.contains(methods.get(i))) {
        f.error(p + "[" + i + "]", "unknown HTTP method '" + methods.get(i) + "'");
      }
    }
  }

  private static Integer parsePort(String s) {
    try {
      int n = Integer.parseInt(s);
      return n >= 1 && n <= 65535 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
