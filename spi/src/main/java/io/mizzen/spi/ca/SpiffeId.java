package io.mizzen.spi.ca;

import java.util.regex.Pattern;

/**
 * A workload identity, {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}: what a
 * workload certificate's only SAN says and what {@code source.principal} becomes.
 *
 * @param trustDomain the mesh's trust domain, such as {@code cluster.local}
 * @param namespace the workload's namespace
 * @param serviceAccount the workload's service account
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {
  private static final String SCHEME = "spiffe://";
  // DNS-label-like names, as Kubernetes allows for namespaces and service accounts; a dot is
  // allowed in a trust domain only. Nothing that could smuggle a '/', '%' or '?' into the URI.
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

  public SpiffeId {
    check("trust domain", trustDomain, TRUST_DOMAIN);
    check("namespace", namespace, NAME);
    check("service account", serviceAccount, NAME);
  }

  /** The identity of service account {@code sa} in namespace {@code ns}. */
  public static SpiffeId of(String trustDomain, String ns, String sa) {
    return new SpiffeId(trustDomain, ns, sa);
  }

  /**
   * Parses {@code spiffe://<td>/ns/<ns>/sa/<sa>} exactly (no query, fragment, port, user info or
   * extra path segment).
   *
   * @throws IllegalArgumentException naming what is wrong with {@code uri}
   */
  public static SpiffeId parse(String uri) {
    if (uri == null || !uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException("not a SPIFFE ID (must start with spiffe://): " + uri);
    }
    String[] parts = uri.substring(SCHEME.length()).split("/", -1);
    if (parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
      throw new IllegalArgumentException(
          "not a workload SPIFFE ID (expected spiffe://<trust-domain>/ns/<ns>/sa/<sa>): " + uri);
    }
    return new SpiffeId(parts[0], parts[2], parts[4]);
  }

  /** The URI form, {@code spiffe://<td>/ns/<ns>/sa/<sa>}. */
  public String uri() {
    return SCHEME + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  @Override
  public String toString() {
    return uri();
  }

  private static void check(String what, String value, Pattern pattern) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "invalid " + what + " '" + value + "' in a SPIFFE ID: lower-case letters, digits, '-' and '.' only");
    }
  }
}
