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
 * @param fields field name → {@link CompiledExpression}, a map field's {@code SharedMap} of them,
 *     or an object field's {@code Map<String, Object>} of the same
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
   * As {@link #build(AttributeBag)}, with the shared map fields (a metric's dimensions) taken
   * from {@code memo} when an earlier bag of the batch agreed on what they read (null: none kept).
   */
  public Instance build(AttributeBag bag, EvaluationMemo memo) {
    try {
      return new Instance(name, template.kind(), evaluate(fields, bag, memo));
    } catch (AbsentField absent) {
      throw new EvaluationException("instance " + name + " field " + absent.path + ": " + absent.getMessage());
    }
  }

  /**
   * Each level evaluated straight into its immutable map (one map per level, not a copy of one;
   * up to four fields, a metric's usual, without an entry object per field).
   */
  private static Map<String, Object> evaluate(Map<String, ?> compiled, AttributeBag bag, EvaluationMemo memo) {
    int n = compiled.size();
    String[] keys = new String[n];
    Object[] values = new Object[n];
    int i = 0;
    for (Map.Entry<String, ?> e : compiled.entrySet()) {
      Object value;
      try {
        if (e.getValue() instanceof CompiledExpression x) {
          value = x.evaluate(bag);
        } else if (e.getValue() instanceof SharedMap shared) {
          value = memo == null ? evaluate(shared.entries, bag, null)
              : memo.get(shared, shared.slots, bag, (m, b, ignored) -> evaluate(m.entries, b, null));
        } else {
          @SuppressWarnings("unchecked")
          Map<String, Object> nested = (Map<String, Object>) e.getValue();
          value = evaluate(nested, bag, memo);
        }
      } catch (AbsentField absent) {
        throw absent.under(e.getKey());
      } catch (EvaluationException absent) {
        throw new AbsentField(e.getKey(), absent.getMessage());
      }
      keys[i] = e.getKey();
      values[i++] = value;
    }
    return switch (n) {
      case 0 -> Map.of();
      case 1 -> Map.of(keys[0], values[0]);
      case 2 -> Map.of(keys[0], values[0], keys[1], values[1]);
      case 3 -> Map.of(keys[0], values[0], keys[1], values[1], keys[2], values[2]);
      case 4 -> Map.of(keys[0], values[0], keys[1], values[1], keys[2], values[2], keys[3], values[3]);
      default -> {
        @SuppressWarnings("unchecked")
        Map.Entry<String, Object>[] entries = new Map.Entry[n];
        for (int k = 0; k < n; k++) {
          entries[k] = Map.entry(keys[k], values[k]);
        }
        yield Map.ofEntries(entries);
      }
    };
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

  private static void visit(Map<String, ?> m, java.util.function.Consumer<CompiledExpression> action) {
    for (Object v : m.values()) {
      if (v instanceof CompiledExpression x) {
        action.accept(x);
      } else if (v instanceof SharedMap shared) {
        shared.entries.values().forEach(action);
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
