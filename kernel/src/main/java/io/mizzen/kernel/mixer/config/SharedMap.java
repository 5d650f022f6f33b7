package io.mizzen.kernel.mixer.config;

import io.mizzen.kernel.mixer.expr.CompiledExpression;
import io.mizzen.spi.mixer.AttributeVocabulary;
import java.util.Map;

/**
 * A compiled map field (a metric's dimensions) that every instance reading the same expressions
 * shares, with the attribute slots its expressions read: evaluated once per bag for all those
 * instances, and reused across the bags of a batch that agree on those slots
 * ({@link EvaluationMemo}).
 */
final class SharedMap {
  final Map<String, CompiledExpression> entries;
  final int[] slots;

  SharedMap(Map<String, CompiledExpression> entries, AttributeVocabulary vocabulary) {
    this.entries = Map.copyOf(entries);
    this.slots = EvaluationMemo.slots(this.entries.values().stream().map(CompiledExpression::references).toList(),
        vocabulary);
  }
}
