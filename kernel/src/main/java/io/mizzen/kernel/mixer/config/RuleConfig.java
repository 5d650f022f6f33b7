package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.mixer.HeaderOperation;
import java.util.List;

/**
 * A compiled rule.
 *
 * @param name the fully qualified name ({@code quota.rule.istio-system})
 * @param namespace its namespace: rules of the root namespace apply mesh-wide
 * @param match the match expression (BOOL), or null for "always"
 * @param actions handler + instances pairs, resolved
 * @param requestHeaderOperations header changes for matching requests
 * @param responseHeaderOperations header changes for their responses
 * @param origin the resource it came from
 */
public record RuleConfig(String name, String namespace, CompiledExpression match, List<Action> actions,
                         List<HeaderOperationConfig> requestHeaderOperations,
                         List<HeaderOperationConfig> responseHeaderOperations, ResourceKey origin) {
  public RuleConfig {
    actions = List.copyOf(actions);
    requestHeaderOperations = List.copyOf(requestHeaderOperations);
    responseHeaderOperations = List.copyOf(responseHeaderOperations);
  }

  /** One action: a handler and the instances it receives (both fully qualified names). */
  public record Action(String handler, List<String> instances, String name) {
    public Action {
      instances = List.copyOf(instances);
    }
  }

  /** A header operation whose values are STRING expressions. */
  public record HeaderOperationConfig(String header, List<CompiledExpression> values, HeaderOperation.Operation operation) {
    public HeaderOperationConfig {
      values = List.copyOf(values);
    }
  }
}
