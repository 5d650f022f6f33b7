package io.mizzen.spi.config.bind;

/**
 * A Kubernetes int-or-string value, such as a Service's {@code targetPort} ({@code 9080} or
 * {@code http}). The binder accepts either scalar form.
 *
 * @param number the number, or {@code null} when given as a name
 * @param name the name, or {@code null} when given as a number
 */
public record IntOrString(Integer number, String name) {
  public IntOrString {
    if ((number == null) == (name == null)) {
      throw new IllegalArgumentException("exactly one of number and name must be given");
    }
  }

  /** True when given as a number. */
  public boolean isNumber() {
    return number != null;
  }

  @Override
  public String toString() {
    return number != null ? number.toString() : name;
  }
}
