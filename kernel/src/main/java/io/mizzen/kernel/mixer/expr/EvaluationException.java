package io.mizzen.kernel.mixer.expr;

/**
 * An expression could not produce a value for this request: an attribute it needs is absent and
 * no {@code |} default covers it, or a function refused its input. Raised per request on the hot
 * path, so it carries no stack trace.
 */
public final class EvaluationException extends RuntimeException {
  public EvaluationException(String message) {
    super(message, null, false, false);
  }
}
