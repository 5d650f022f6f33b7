package io.mizzen.proxy.access;

/** Envoy's response flags, as they appear in the access log and as a metric label. */
public enum ResponseFlag {
  /** No healthy upstream host in the cluster. */
  UH,
  /** The upstream connection could not be established. */
  UF,
  /** Circuit breaking: the cluster's connection pool or request limits were exceeded. */
  UO,
  /** No route matched the request. */
  NR,
  /** The retry limit was reached and the last failure was returned. */
  URX,
  /** The upstream did not answer within the route or per-try timeout. */
  UT,
  /** A fault delay was injected. */
  DI,
  /** A fault abort was injected. */
  FI,
  /** The upstream connection closed or reset before the response was complete. */
  UC,
  /** The downstream (client) connection closed before the response was complete. */
  DC,
  /** Policy (Mixer's Check) refused the request: denied or over quota. */
  UAEX;

  /** The flags of a bit set built with {@link #bit()}, comma separated, or {@code -} when none. */
  public static String render(int bits) {
    if (bits == 0) {
      return "-";
    }
    StringBuilder out = new StringBuilder();
    for (ResponseFlag flag : values()) {
      if ((bits & flag.bit()) != 0) {
        if (out.length() > 0) {
          out.append(',');
        }
        out.append(flag.name());
      }
    }
    return out.toString();
  }

  /** This flag's bit, so an exchange can carry its flags in one int. */
  public int bit() {
    return 1 << ordinal();
  }
}
