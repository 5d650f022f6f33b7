package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.expr.ExpressionCompiler;
import io.mizzen.spi.mixer.AttributeVocabulary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compiled, immutable Mixer config version. Rules are scoped as Mixer scoped them: a request
 * to namespace N is seen by the rules of the root namespace and of N.
 *
 * @param version the config version it was compiled from
 * @param vocabulary the attribute vocabulary (built-in manifests plus attributemanifest resources)
 * @param rootNamespace whose rules apply mesh-wide ({@code istio-system} by default)
 * @param handlers by fully qualified name (only valid ones)
 * @param instances by fully qualified name (only valid ones)
 * @param rules every valid rule
 * @param scopes namespace → the rules that see its requests (root's first); built by {@link #of}
 * @param quotaPlan QuotaSpecs as bound to services
 * @param warnings what loaded but will not act (out-of-process handlers, say)
 */
public record MixerConfig(long version, AttributeVocabulary vocabulary, String rootNamespace,
                          Map<String, HandlerConfig> handlers, Map<String, InstanceConfig> instances,
                          List<RuleConfig> rules, Map<String, List<RuleConfig>> scopes,
                          QuotaPlan quotaPlan, List<String> warnings) {
  public MixerConfig {
    handlers = Map.copyOf(handlers);
    instances = Map.copyOf(instances);
    rules = List.copyOf(rules);
    scopes = Map.copyOf(scopes);
    warnings = List.copyOf(warnings);
  }

  /** A config whose rule scopes are computed from {@code rules}, once. */
  public static MixerConfig of(long version, AttributeVocabulary vocabulary, String rootNamespace,
                               Map<String, HandlerConfig> handlers, Map<String, InstanceConfig> instances,
                               List<RuleConfig> rules, QuotaPlan quotaPlan, List<String> warnings) {
    List<RuleConfig> root = rules.stream().filter(r -> r.namespace().equals(rootNamespace)).toList();
    Map<String, List<RuleConfig>> scopes = new LinkedHashMap<>();
    scopes.put(rootNamespace, root);
    for (RuleConfig r : rules) {
      if (!r.namespace().equals(rootNamespace)) {
        scopes.computeIfAbsent(r.namespace(), ns -> new ArrayList<>(root)).add(r);
      }
    }
    scopes.replaceAll((ns, list) -> List.copyOf(list));
    return new MixerConfig(version, vocabulary, rootNamespace, handlers, instances, rules, scopes, quotaPlan, warnings);
  }

  /** An empty config. */
  public static MixerConfig empty(AttributeVocabulary vocabulary, String rootNamespace) {
    return of(0, vocabulary, rootNamespace, Map.of(), Map.of(), List.of(), QuotaPlan.empty(), List.of());
  }

  /** A compiler for further expressions against this version's vocabulary. */
  public ExpressionCompiler expressions() {
    return ExpressionCompiler.of(vocabulary);
  }

  /** The rules that see a request to {@code namespace}: the root namespace's, then its own. */
  public List<RuleConfig> rulesFor(String namespace) {
    List<RuleConfig> own = namespace == null ? null : scopes.get(namespace);
    return own != null ? own : scopes.get(rootNamespace);
  }
}
