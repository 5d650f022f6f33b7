package io.mizzen.kernel.config;

import io.mizzen.kernel.config.ConfigProblem.Severity;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.bind.Bound;
import io.mizzen.spi.config.bind.SpecBinder;
import io.mizzen.spi.config.kube.KubernetesService;
import io.mizzen.spi.config.networking.DestinationRule;
import io.mizzen.spi.config.networking.Gateway;
import io.mizzen.spi.config.networking.ServiceEntry;
import io.mizzen.spi.config.networking.Sidecar;
import io.mizzen.spi.config.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@link ConfigValidator}: binds strictly, then runs the kind's own checks on the bound value. */
final class ResourceValidator implements ConfigValidator {
  // Kubernetes object names (RFC 1123): what kubectl would accept for these resources too.
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private final SpecBinder binder = SpecBinder.strict();

  @Override
  public List<ConfigProblem> validate(Resource resource) {
    ResourceKinds.Decision decision = ResourceKinds.decide(resource.apiVersion(), resource.kind());
    List<ConfigProblem> out = new ArrayList<>();
    if (resource.name() == null || resource.name().isEmpty()) {
      out.add(ConfigProblem.of(Severity.ERROR, resource, "metadata.name", "required field 'metadata.name' is missing"));
    } else if (resource.name().length() > 253 || !DNS_SUBDOMAIN.matcher(resource.name()).matches()) {
      out.add(ConfigProblem.of(Severity.ERROR, resource, "metadata.name", "invalid name '" + resource.name()
          + "': lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"));
    }
    if (resource.namespace().length() > 63 || !DNS_LABEL.matcher(resource.namespace()).matches()) {
      out.add(ConfigProblem.of(Severity.ERROR, resource, "metadata.namespace", "invalid namespace '"
          + resource.namespace() + "': lower-case letters, digits and '-', at most 63"));
    }
    switch (decision.treatment()) {
      case REFUSE -> out.add(ConfigProblem.of(Severity.ERROR, resource,
          decision.reason().startsWith("unsupported") ? "apiVersion" : "kind", decision.reason()));
      case SKIP -> out.add(ConfigProblem.of(Severity.NOTE, resource, "", "skipped: " + decision.reason()));
      case MIXER -> out.addAll(MixerChecks.check(resource));
      case TYPED -> {
        Bound<? extends Record> bound = binder.bind(resource.spec(), decision.specType(), "spec");
        bound.errors().forEach(e -> out.add(ConfigProblem.of(Severity.ERROR, resource, e.field(), e.message())));
        if (bound.value() != null) {
          Findings findings = new Findings(resource);
          semantic(bound.value(), findings);
          out.addAll(findings.problems());
        }
      }
      default -> throw new IllegalStateException("unhandled " + decision);
    }
    return out;
  }

  private static void semantic(Record spec, Findings f) {
    if (spec instanceof VirtualService vs) {
      VirtualServiceChecks.check(vs, f);
    } else if (spec instanceof DestinationRule dr) {
      DestinationRuleChecks.check(dr, f);
    } else if (spec instanceof Gateway gw) {
      ListenerChecks.gateway(gw, f);
    } else if (spec instanceof ServiceEntry se) {
      ListenerChecks.serviceEntry(se, f);
    } else if (spec instanceof Sidecar sc) {
      ListenerChecks.sidecar(sc, f);
    } else if (spec instanceof KubernetesService svc) {
      ListenerChecks.kubernetesService(svc, f);
    } else {
      SecurityChecks.check(spec, f);
    }
  }

  /**
   * Mixer kinds are untyped here; the Mixer engine checks their params. The shape is checked, and
   * a rule's {@code match} is compiled against Istio's standard attributes (the vocabulary Mixer
   * starts from; an {@code attributemanifest} may add to it, so an attribute it does not know is
   * a warning, any other fault an error).
   */
  static final class MixerChecks {
    private static final io.mizzen.kernel.mixer.expr.ExpressionCompiler STANDARD =
        io.mizzen.kernel.mixer.expr.ExpressionCompiler.of(io.mizzen.kernel.mixer.AttributeManifest.vocabulary(
            io.mizzen.kernel.mixer.AttributeManifest.builtIn()));

    private MixerChecks() {}

    static List<ConfigProblem> check(Resource r) {
      List<ConfigProblem> out = new ArrayList<>();
      if (r.kind().equals("rule") && r.spec().get("match") instanceof String match && !match.isBlank()) {
        try {
          STANDARD.compile(match, io.mizzen.spi.mixer.ValueType.BOOL);
        } catch (io.mizzen.kernel.mixer.expr.ExpressionException e) {
          boolean unknown = e.getMessage().contains("unknown attribute");
          out.add(ConfigProblem.of(unknown ? Severity.WARNING : Severity.ERROR, r, "spec.match",
              e.getMessage() + (unknown ? " (not one of Istio's standard attributes; an attributemanifest must declare it)" : "")));
        }
      }
      if (r.kind().equals("rule") && r.spec().get("actions") instanceof List<?> actions) {
        for (int i = 0; i < actions.size(); i++) {
          if (!(actions.get(i) instanceof Map<?, ?> a) || !(a.get("handler") instanceof String h) || h.isEmpty()) {
            out.add(ConfigProblem.of(Severity.ERROR, r, "spec.actions[" + i + "].handler",
                "required field 'handler' is missing"));
          }
        }
      }
      if (r.kind().equals("handler") && r.spec().get("compiledAdapter") == null && r.spec().get("adapter") == null) {
        out.add(ConfigProblem.of(Severity.ERROR, r, "spec", "a handler needs 'compiledAdapter' or 'adapter'"));
      }
      if (r.kind().equals("instance") && r.spec().get("compiledTemplate") == null && r.spec().get("template") == null) {
        out.add(ConfigProblem.of(Severity.ERROR, r, "spec", "an instance needs 'compiledTemplate' or 'template'"));
      }
      return out;
    }
  }
}
