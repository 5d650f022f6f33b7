package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.kernel.mixer.expr.EvaluationException;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.Instance;
import java.util.Map;
import java.util.Set;

/**
 * A compiled instance: its template and, for each field, a compiled expression (or a map of them,
 * or a nested object of them).
 *
 * @param name the fully qualified name, such as {@code requestcount.metric.istio-system}
 * @param template the template
 * @param fields field name → {@link CompiledExpression} or {@code Map<String, Object>} of the same
 * @param origin the resource it came from
 */
public record InstanceConfig(String name, Template template, Map<String, Object> fields, ResourceKey origin) {
  public InstanceConfig {
    fields = Map.copyOf(fields);
  }

  /**
   * The instance for one request.
   *
   * @throws EvaluationException naming the field when an expression has no value
   */
  public Instance build(AttributeBag bag) {
    return build(bag, null);
  }

  /**
   * As {@link #build(AttributeBag)}, taking map fields already evaluated for the same bag from
   * {@code evaluated} (null: none kept) and leaving the ones it evaluates there.
   */
  public Instance build(AttributeBag bag, Evaluated evaluated) {
    try {
      return new Instance(name, template.kind(), evaluate(fields, bag, evaluated));
    } catch (AbsentField absent) {
      throw new EvaluationException("instance " + name + " field " + absent.path + ": " + absent.getMessage());
    }
  }

  /**
   * The map fields evaluated for one bag, by compiled map: the config compiler gives instances
   * whose map fields read the same expressions one compiled map, so the instances of one request
   * share one evaluated map. Not thread-safe; one per bag.
   */
  public static final class Evaluated {
    private final Object[] compiled = new Object[4];
    private final Object[] values = new Object[4];
    private int size;

    Map<String, Object> get(Map<String, Object> map) {
      for (int i = 0; i < size; i++) {
        if (compiled[i] == map) {
          @SuppressWarnings("unchecked")
          Map<String, Object> value = (Map<String, Object>) values[i];
          return value;
        }
      }
      return null;
    }

    void put(Map<String, Object> map, Map<String, Object> value) {
      if (size < compiled.length) {
        compiled[size] = map;
        values[size++] = value;
      }
    }
  }

  /** Each level evaluated straight into its immutable map (one map per level, not a copy of one). */
  private static Map<String, Object> evaluate(Map<String, Object> compiled, AttributeBag bag, Evaluated evaluated) {
    @SuppressWarnings("unchecked")
    Map.Entry<String, Object>[] out = new Map.Entry[compiled.size()];
    int i = 0;
    for (Map.Entry<String, Object> e : compiled.entrySet()) {
      Object value;
      try {
        if (e.getValue() instanceof CompiledExpression x) {
          value = x.evaluate(bag);
        } else {
          @SuppressWarnings("unchecked")
          Map<String, Object> nested = (Map<String, Object>) e.getValue();
          Map<String, Object> done = evaluated == null ? null : evaluated.get(nested);
          if (done == null) {
            done = evaluate(nested, bag, evaluated);
            if (evaluated != null) {
              evaluated.put(nested, done);
            }
          }
          value = done;
        }
      } catch (AbsentField absent) {
        throw absent.under(e.getKey());
      } catch (EvaluationException absent) {
        throw new AbsentField(e.getKey(), absent.getMessage());
      }
      out[i++] = Map.entry(e.getKey(), value);
    }
    return Map.ofEntries(out);
  }

  /** A field with no value, its dotted path built only on this (rare) path. */
  private static final class AbsentField extends RuntimeException {
    private final String path;

    AbsentField(String path, String message) {
      super(message, null, false, false);
      this.path = path;
    }

    AbsentField under(String parent) {
      return new AbsentField(parent + "." + path, getMessage());
    }
  }

  /** Every expression of this instance, for referenced-attribute tracking. */
  public void forEachExpression(java.util.function.Consumer<CompiledExpression> action) {
    visit(fields, action);
  }

  private static void visit(Map<String, Object> m, java.util.function.Consumer<CompiledExpression> action) {
    for (Object v : m.values()) {
      if (v instanceof CompiledExpression x) {
        action.accept(x);
      } else {
        @SuppressWarnings("unchecked")
        Map<String, Object> nested = (Map<String, Object>) v;
        visit(nested, action);
      }
    }
  }

  /** Names of the top-level fields set. */
  public Set<String> fieldNames() {
    return fields.keySet();
  }
}
