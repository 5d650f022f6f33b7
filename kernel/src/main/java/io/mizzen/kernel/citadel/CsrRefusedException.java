package io.mizzen.kernel.citadel;

/** The failure of a {@link CsrService#sign} Future when the request, not the server, is at fault. */
public class CsrRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final CsrRefusal reason;
  private final String detail;

  public CsrRefusedException(CsrRefusal reason, String detail) {
    super(reason + ": " + detail);
    this.reason = reason;
    this.detail = detail;
  }

  /** What was wrong, without the reason's name. */
  public String detail() {
    return detail;
  }

  public CsrRefusal reason() {
    return reason;
  }
}
