package io.mizzen.kernel.citadel;

/** Why the CSR service refused a request; stable names for logs, metrics and the wire. */
public enum CsrRefusal {
  /** The request lacks a field or a field is out of shape (nonce, timestamp, token form). */
  MALFORMED_REQUEST,
  /** No live token matches (never issued, revoked, or a wrong secret). */
  UNKNOWN_TOKEN,
  /** The token was real but its expiry has passed. */
  EXPIRED_TOKEN,
  /** The same nonce was already used with this token inside the window. */
  REPLAYED_REQUEST,
  /** The timestamp is outside the accepted window around the control plane's clock. */
  STALE_REQUEST,
  /** The CSR asks for a name other than the identity the credential proves. */
  IDENTITY_MISMATCH,
  /** The CSR's self-signature does not verify, or uses a weak algorithm. */
  BAD_SIGNATURE,
  /** The CSR is not one well-formed PKCS#10 PEM block. */
  MALFORMED_CSR,
  /** The CSR is larger than accepted. */
  CSR_TOO_LARGE,
  /** The CSR's key type or size is not signed. */
  KEY_NOT_ALLOWED,
  /** The requested lifetime is not positive. */
  BAD_TTL
}
