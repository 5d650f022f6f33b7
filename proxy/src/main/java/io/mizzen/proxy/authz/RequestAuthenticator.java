package io.mizzen.proxy.authz;

import io.mizzen.proxy.authz.RequestView.RequestAuth;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Collection;
import java.util.Map;

/**
 * RequestAuthentication: finds a JWT on a request (by default {@code Authorization: Bearer}),
 * verifies its signature with the rule's JWKS (RS256 or ES256), its issuer, audiences and
 * {@code exp}/{@code nbf}, and turns it into {@code request.auth.*}. A request without a token is
 * accepted with no {@code request.auth} (AuthorizationPolicy decides); a bad token is refused.
 */
public interface RequestAuthenticator {

  /**
   * Rules from the RequestAuthentication resources among {@code resources}; {@code jwksUri} keys
   * are fetched with the Vert.x HTTP client (each once, now).
   *
   * @return completes when every key set is there; fails naming the resource and field of a bad
   *     rule, or the URI that could not be fetched or parsed
   */
  static Future<RequestAuthenticator> load(Vertx vertx, Collection<Resource> resources, String rootNamespace, Clock clock) {
    return load(vertx, resources, rootNamespace, clock, new JwksCache(clock));
  }

  /**
   * As {@link #load(Vertx, Collection, String, Clock)}, with the {@code jwksUri} keys kept in
   * {@code cache} from one snapshot to the next ({@link JwksCache}: fetched again after 20
   * minutes; the kept keys stay when a fetch fails).
   */
  static Future<RequestAuthenticator> load(Vertx vertx, Collection<Resource> resources, String rootNamespace, Clock clock,
      JwksCache cache) {
    return JwtRules.load(vertx, resources, rootNamespace, clock, cache, null);
  }

  /**
   * As {@link #load(Vertx, Collection, String, Clock, JwksCache)}, for {@code workload} alone:
   * the rules of RequestAuthentications that do not select it are checked but not compiled, and
   * their keys are not fetched.
   */
  static Future<RequestAuthenticator> load(Vertx vertx, Collection<Resource> resources, String rootNamespace, Clock clock,
      JwksCache cache, WorkloadInfo workload) {
    return JwtRules.load(vertx, resources, rootNamespace, clock, cache, workload);
  }

  /** Whether any RequestAuthentication rule selects {@code workload} (none: no token is looked for). */
  boolean appliesTo(WorkloadInfo workload);

  /**
   * Authenticates a request to {@code workload}.
   *
   * @param headers the request headers, names in any case
   * @param path the request path with its query (for {@code fromParams})
   */
  Outcome authenticate(WorkloadInfo workload, Map<String, String> headers, String path);

  /**
   * The result.
   *
   * @param accepted false: answer 401
   * @param auth the verified token's attributes, or {@link RequestAuth#NONE}
   * @param reason why it was refused (or accepted without a token)
   */
  record Outcome(boolean accepted, RequestAuth auth, String reason) {}
}
