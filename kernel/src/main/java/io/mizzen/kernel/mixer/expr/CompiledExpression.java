package io.mizzen.kernel.mixer.expr;

import io.mizzen.spi.mixer.AttributeBag;
import io.mizzen.spi.mixer.ReferencedAttributes;
import io.mizzen.spi.mixer.ValueType;

/** An expression compiled once per config version, evaluated per request. Thread-safe. */
public interface CompiledExpression {

  /** The source text. */
  String text();

  /** Its type, as checked against the vocabulary. */
  ValueType type();

  /** What it reads: whole attributes, and constant keys of STRING_MAP attributes. */
  ReferencedAttributes references();

  /**
   * Its value for {@code bag}.
   *
   * @throws EvaluationException when the result is absent (an attribute with no {@code |} default)
   * @throws IllegalArgumentException when {@code bag} uses another vocabulary than the compiler's
   */
  Object evaluate(AttributeBag bag);

  /** Its value, or {@code null} when absent. Other failures throw as in {@link #evaluate}. */
  Object evaluateOrAbsent(AttributeBag bag);

  /** A BOOL expression's value. @throws EvaluationException as {@link #evaluate} does */
  default boolean test(AttributeBag bag) {
    return (Boolean) evaluate(bag);
  }

  /** Whether it is a constant (nothing to read from a bag). */
  boolean isConstant();
}
