package io.mizzen.spi.config.networking;

import java.time.Duration;
import java.util.List;

/**
 * Cross-origin resource sharing for a route.
 *
 * @param allowOrigin origins allowed, exact ({@code *} for any)
 * @param allowOrigins origins allowed, as string matches (later Istio)
 * @param allowMethods methods allowed
 * @param allowHeaders request headers allowed
 * @param exposeHeaders response headers browsers may read
 * @param maxAge how long a preflight answer may be cached
 * @param allowCredentials whether credentials are allowed
 */
public record CorsPolicy(
    List<String> allowOrigin,
    List<StringMatch> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    Duration maxAge,
    Boolean allowCredentials) {}
