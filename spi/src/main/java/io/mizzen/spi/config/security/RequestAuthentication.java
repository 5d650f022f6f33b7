package io.mizzen.spi.config.security;

import io.mizzen.spi.config.bind.Required;
import java.util.List;

/**
 * {@code security.istio.io} RequestAuthentication: which JWTs the selected workloads accept.
 *
 * @param selector the workloads it applies to
 * @param jwtRules the accepted issuers
 */
public record RequestAuthentication(WorkloadSelector selector, List<JwtRule> jwtRules) {

  /**
   * @param issuer the token issuer
   * @param audiences accepted audiences
   * @param jwksUri where the keys are
   * @param jwks the keys inline
   * @param fromHeaders where to find the token among headers
   * @param fromParams query parameters to find the token in
   * @param outputPayloadToHeader a header to put the verified payload in
   * @param forwardOriginalToken whether to keep the token on the forwarded request
   */
  public record JwtRule(
      @Required String issuer, List<String> audiences, String jwksUri, String jwks,
      List<JwtHeader> fromHeaders, List<String> fromParams, String outputPayloadToHeader,
      Boolean forwardOriginalToken) {}

  /** @param name the header @param prefix the prefix before the token, such as {@code Bearer } */
  public record JwtHeader(@Required String name, String prefix) {}
}
