package io.mizzen.kernel.mixer.expr;

import java.util.List;
import java.util.stream.Collectors;

/** An expression that does not parse or does not type check; carries every error found. */
public final class ExpressionException extends RuntimeException {
  private final String expression;
  private final transient List<ExpressionError> errors;

  public ExpressionException(String expression, List<ExpressionError> errors) {
    super("'" + expression + "': " + errors.stream().map(ExpressionError::toString).collect(Collectors.joining("; ")));
    this.expression = expression;
    this.errors = List.copyOf(errors);
  }

  public String expression() {
    return expression;
  }

  public List<ExpressionError> errors() {
    return errors;
  }
}
