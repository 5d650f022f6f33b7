package io.mizzen.kernel.inject;

/**
 * A manifest, template or mesh config that cannot be injected. The message names where the
 * problem is (file, line, document, field path) and what was wrong.
 */
public final class InjectionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InjectionException(String message) {
    super(message);
  }

  public InjectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
