package io.mizzen.kernel.mixer.expr;

/**
 * A problem with an expression, found while parsing or type checking.
 *
 * @param position 0-based offset in the expression text
 * @param message what is wrong
 */
public record ExpressionError(int position, String message) {
  /** The 1-based column users see. */
  public int column() {
    return position + 1;
  }

  @Override
  public String toString() {
    return "column " + column() + ": " + message;
  }
}
