package io.mizzen.spi.ca;

/**
 * Why an {@link IdentityVerifier} refused a credential: it is not valid ({@code expired} false),
 * or it was valid once and has expired. The message never contains the credential itself.
 */
public class CredentialRefusedException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final boolean expired;

  public CredentialRefusedException(boolean expired, String message) {
    super(message);
    this.expired = expired;
  }

  /** Whether the credential was genuine but past its expiry. */
  public boolean expired() {
    return expired;
  }
}
