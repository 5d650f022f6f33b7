package io.mizzen.spi.config.security;

import io.mizzen.spi.config.bind.Oneof;
import io.mizzen.spi.config.bind.Required;
import io.mizzen.spi.config.networking.PortSelector;
import io.mizzen.spi.config.networking.StringMatch;
import java.util.List;

/**
 * The spec of Istio 1.4's {@code authentication.istio.io/v1alpha1} Policy and MeshPolicy.
 *
 * @param targets services it applies to; empty means the whole namespace (or mesh)
 * @param peers peer authentication methods, the first that succeeds wins
 * @param peerIsOptional accept requests without peer authentication
 * @param origins origin (end-user) authentication methods
 * @param originIsOptional accept requests without origin authentication
 * @param principalBinding which identity becomes the request principal
 */
public record AuthenticationPolicy(
    List<TargetSelector> targets,
    List<PeerMethod> peers,
    Boolean peerIsOptional,
    List<OriginMethod> origins,
    Boolean originIsOptional,
    PrincipalBinding principalBinding) {

  /** Which identity becomes the principal. */
  public enum PrincipalBinding { USE_PEER, USE_ORIGIN }

  /** @param name a service name @param ports ports of it; empty means all */
  public record TargetSelector(@Required String name, List<PortSelector> ports) {}

  /** @param mtls mutual TLS (often written {@code mtls:} with no value) @param jwt a JWT */
  @Oneof(value = {"mtls", "jwt"}, required = true)
  public record PeerMethod(MutualTls mtls, Jwt jwt) {}

  /** @param jwt the JWT to verify */
  public record OriginMethod(@Required Jwt jwt) {}

  /** @param allowTls accept plain TLS too (deprecated) @param mode STRICT when unset */
  public record MutualTls(Boolean allowTls, Mode mode) {
    /** mTLS modes of the v1alpha1 Policy. */
    public enum Mode { STRICT, PERMISSIVE }
  }

  /**
   * A JWT requirement.
   *
   * @param issuer the token issuer
   * @param audiences accepted audiences
   * @param jwksUri where the keys are
   * @param jwks the keys inline
   * @param jwtHeaders headers to find the token in
   * @param jwtParams query parameters to find the token in
   * @param triggerRules paths the requirement applies to
   */
  public record Jwt(
      @Required String issuer, List<String> audiences, String jwksUri, String jwks,
      List<String> jwtHeaders, List<String> jwtParams, List<TriggerRule> triggerRules) {}

  /** @param excludedPaths paths exempt @param includedPaths paths covered */
  public record TriggerRule(List<StringMatch> excludedPaths, List<StringMatch> includedPaths) {}
}
