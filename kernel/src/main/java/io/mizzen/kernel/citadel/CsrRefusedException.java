package io.mizzen.kernel.citadel;

/** The failure of a {@link CsrService#sign} Future when the request, not the server, is at fault. */
public class CsrRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final CsrRefusal reason;

  public CsrRefusedException(CsrRefusal reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public CsrRefusal reason() {
    return reason;
  }
}
