package io.mizzen.proxy.route;

import java.util.List;

/**
 * A route's {@code corsPolicy}.
 *
 * @param allowOrigins origins allowed (exact, prefix or regex)
 * @param allowMethods {@code Access-Control-Allow-Methods}
 * @param allowHeaders {@code Access-Control-Allow-Headers}
 * @param exposeHeaders {@code Access-Control-Expose-Headers}
 * @param maxAgeSeconds {@code Access-Control-Max-Age}, negative for none
 * @param allowCredentials whether to send {@code Access-Control-Allow-Credentials: true}
 */
public record CorsPolicy(
    List<StringMatch> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    long maxAgeSeconds,
    boolean allowCredentials) {
  public CorsPolicy {
    allowOrigins = List.copyOf(allowOrigins);
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
  }

  /** Whether the origin is allowed. */
  public boolean allows(String origin) {
    for (StringMatch m : allowOrigins) {
      if (m.matches(origin, false) || "*".equals(m.value())) {
        return true;
      }
    }
    return false;
  }
}
