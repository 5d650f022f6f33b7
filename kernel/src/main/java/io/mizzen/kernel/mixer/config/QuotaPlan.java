package io.mizzen.kernel.mixer.config;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.QuotaArgs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What QuotaSpecs and QuotaSpecBindings say: for a destination service, which quotas a request
 * is charged, and how much. The proxy (or the engine, for checks that name no quota) asks it.
 *
 * @param bindings service (namespace, name or {@code *}) → the specs bound to it
 */
public record QuotaPlan(List<Binding> bindings) {
  public QuotaPlan {
    bindings = List.copyOf(bindings);
  }

  /** No QuotaSpecBinding: no quota is charged. */
  public static QuotaPlan empty() {
    return new QuotaPlan(List.of());
  }

  /**
   * A bound service and its specs.
   *
   * @param namespace the service's namespace, or null for any
   * @param name a service name, or {@code *} for every service
   */
  public record Binding(String namespace, String name, List<Spec> specs) {}

  /** One QuotaSpec. */
  public record Spec(String name, List<SpecRule> rules) {}

  /** One QuotaSpec rule: any of {@code match} (each an AND of clauses; empty = always) charges {@code quotas}. */
  public record SpecRule(List<Map<String, StringMatch>> match, Map<String, Long> quotas) {}

  /** Istio's StringMatch: exactly one of exact, prefix, regex. */
  public record StringMatch(String exact, String prefix, Pattern regex) {
    boolean test(String value) {
      if (exact != null) {
        return value.equals(exact);
      }
      if (prefix != null) {
        return value.startsWith(prefix);
      }
      return regex.matcher(value).matches();
    }
  }

  /** Whether no QuotaSpec is bound at all (so no request is charged). */
  public boolean isEmpty() {
    return bindings.isEmpty();
  }

  /**
   * The quotas to charge for a request to the destination named in {@code bag}
   * ({@code destination.service.name}/{@code namespace}, else {@code destination.service.host}).
   */
  public Map<String, QuotaArgs> quotasFor(AttributeBag bag, String deduplicationId) {
    if (bindings.isEmpty()) {
      return Map.of();
    }
    String name = (String) bag.get("destination.service.name");
    String namespace = (String) bag.get("destination.service.namespace");
    if ((name == null || namespace == null) && bag.get("destination.service.host") instanceof String host) {
      String[] parts = host.split("\\.");
      name = name == null ? parts[0] : name;
      namespace = namespace == null && parts.length > 1 ? parts[1] : namespace;
    }
    Map<String, QuotaArgs> out = new LinkedHashMap<>();
    for (Binding b : bindings) {
      boolean bound = b.name().equals("*") || b.name().equals(name) && (b.namespace() == null || b.namespace().equals(namespace));
      if (!bound) {
        continue;
      }
      for (Spec spec : b.specs()) {
        for (SpecRule rule : spec.rules()) {
          if (matches(rule, bag)) {
            rule.quotas().forEach((quota, charge) -> out.merge(quota, new QuotaArgs(charge, deduplicationId, false),
                (x, y) -> new QuotaArgs(x.amount() + y.amount(), deduplicationId, false)));
          }
        }
      }
    }
    return out;
  }

  private static boolean matches(SpecRule rule, AttributeBag bag) {
    if (rule.match().isEmpty()) {
      return true;
    }
    for (Map<String, StringMatch> clauses : rule.match()) {
      boolean all = true;
      for (Map.Entry<String, StringMatch> c : clauses.entrySet()) {
        String v = lookup(bag, c.getKey());
        all &= v != null && c.getValue().test(v);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  /**
   * The attributes the specs' clauses read: {@code reader} gets each attribute with the key a
   * {@code name[key]} clause reads, or null when the clause reads it whole.
   */
  public void forEachRead(java.util.function.BiConsumer<String, String> reader) {
    for (Binding b : bindings) {
      for (Spec spec : b.specs()) {
        for (SpecRule rule : spec.rules()) {
          for (Map<String, StringMatch> clauses : rule.match()) {
            for (String attribute : clauses.keySet()) {
              int open = attribute.indexOf('[');
              if (open > 0 && attribute.endsWith("]")) {
                reader.accept(attribute.substring(0, open), key(attribute, open));
              } else {
                reader.accept(attribute, null);
              }
            }
          }
        }
      }
    }
  }

  private static String key(String attribute, int open) {
    return attribute.substring(open + 1, attribute.length() - 1).replace("\"", "");
  }

  /** {@code name} or {@code name[key]} for map attributes, as QuotaSpec clauses write them. */
  private static String lookup(AttributeBag bag, String attribute) {
    int open = attribute.indexOf('[');
    if (open > 0 && attribute.endsWith("]")) {
      Object m = bag.get(attribute.substring(0, open));
      String key = key(attribute, open);
      return m instanceof Map<?, ?> map && map.get(key) instanceof String s ? s : null;
    }
    Object v = bag.get(attribute);
    return v == null ? null : v.toString();
  }
}
