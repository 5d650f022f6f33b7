package io.mizzen.spi.ca;

/**
 * Why a {@link CredentialVerifier} refused a credential: the failure its {@code verify} Future
 * carries when the credential itself proves nothing. The message names why; it never contains
 * the credential.
 */
public class CredentialRefusedException extends SecurityException {
  private static final long serialVersionUID = 1L;

  public CredentialRefusedException(String message) {
    super(message);
  }
}
