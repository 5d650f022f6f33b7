package io.mizzen.spi.ca;

/**
 * Why a CA refused to sign: the failure a {@link CertificateAuthority#sign} Future carries when the
 * request itself is at fault (as opposed to the CA being broken). The message names what was
 * wrong; it never contains key material.
 */
public class SigningRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The kinds of refusal, stable enough to count and alert on. */
  public enum Reason {
    /** Not a single PEM {@code CERTIFICATE REQUEST}, or not valid PKCS#10 inside. */
    MALFORMED_CSR,
    /** Larger than the CA accepts. */
    CSR_TOO_LARGE,
    /** The CSR's self-signature does not verify with the key it carries. */
    BAD_SIGNATURE,
    /** A key type or size the CA does not sign (RSA under 2048 bits, DSA, an unlisted curve). */
    KEY_NOT_ALLOWED,
    /** The CSR asks for a name other than exactly the proven identity. */
    IDENTITY_MISMATCH,
    /** The requested lifetime is not positive. */
    BAD_TTL
  }

  private final Reason reason;

  public SigningRefusedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  /** The kind of refusal. */
  public Reason reason() {
    return reason;
  }
}
