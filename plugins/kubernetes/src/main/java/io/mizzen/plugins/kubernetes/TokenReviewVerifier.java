package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mizzen.spi.ca.CredentialRefusedException;
import io.mizzen.spi.ca.IdentityVerifier;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * Kubernetes service-account JWTs, verified by the API server ({@code TokenReview},
 * {@code authentication.k8s.io/v1}) as Istio's Citadel does: an authenticated
 * {@code system:serviceaccount:<ns>:<sa>} becomes {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}.
 * The token must be issued for {@code MIZZEN_CA_AUDIENCE} when that is set. It reads only
 * credentials shaped like a JWT, and only inside a cluster ({@code KUBERNETES_SERVICE_HOST}); the
 * control plane's service account needs {@code create} on {@code tokenreviews}
 * (ops/kubernetes/rbac.yaml).
 *
 * <p>An {@link IdentityVerifier} has no start: the client is made on first use, on a worker of
 * the calling Vert.x context (Citadel calls from its event loop).
 */
@Extension
public final class TokenReviewVerifier implements IdentityVerifier {
  static final String NAME = "kubernetes-tokenreview";
  private static final String SA_PREFIX = "system:serviceaccount:";

  private final KubeSettings settings;
  private KubernetesClient client;

  /** As PF4J makes it: settings from the environment (in-cluster config, {@code MIZZEN_CA_AUDIENCE}). */
  public TokenReviewVerifier() {
    this(KubeSettings.from(Map.of(), System.getenv()));
  }

  TokenReviewVerifier(KubeSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** A JWT: three base64url parts, the first a JSON header naming its algorithm. */
  @Override
  public boolean accepts(String credential) {
    if (!settings.enabled() || credential == null) {
      return false;
    }
    String[] parts = credential.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return false;
    }
    try {
      String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
      return header.startsWith("{") && header.contains("\"alg\"");
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }

  @Override
  public Future<SpiffeId> verify(String credential, String trustDomain) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("TokenReview must be called from a Vert.x context (it runs on its workers)"));
    }
    if (!settings.enabled()) {
      return Future.failedFuture(new CredentialRefusedException(false,
          "service-account tokens cannot be verified: Kubernetes is not enabled on this control plane"));
    }
    List<String> audiences = settings.audiences();
    TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(credential).withAudiences(audiences).endSpec().build();
    return context.owner().executeBlocking(() -> client().authentication().v1().tokenReviews().create(request), false)
        .compose(review -> identity(review.getStatus(), audiences, trustDomain));
  }

  private synchronized KubernetesClient client() {
    if (client == null) {
      client = KubeClients.create(settings);
    }
    return client;
  }

  static Future<SpiffeId> identity(TokenReviewStatus status, List<String> audiences, String trustDomain) {
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String why = status == null || status.getError() == null || status.getError().isBlank() ? "not authenticated" : status.getError();
      // The API server says the same for an expired token as for a forged one.
      return Future.failedFuture(new CredentialRefusedException(why.contains("expired"),
          "the API server refused the service-account token: " + why));
    }
    if (!audiences.isEmpty() && (status.getAudiences() == null || status.getAudiences().stream().noneMatch(audiences::contains))) {
      return Future.failedFuture(new CredentialRefusedException(false, "the service-account token is not for audience " + audiences
          + " (it is for " + status.getAudiences() + ")"));
    }
    String user = status.getUser() == null ? null : status.getUser().getUsername();
    if (user == null || !user.startsWith(SA_PREFIX)) {
      return Future.failedFuture(new CredentialRefusedException(false, "the token belongs to '" + user + "', not a service account"));
    }
    String[] parts = user.substring(SA_PREFIX.length()).split(":", -1);
    if (parts.length != 2) {
      return Future.failedFuture(new CredentialRefusedException(false, "malformed service-account user name '" + user + "'"));
    }
    try {
      return Future.succeededFuture(SpiffeId.of(trustDomain, parts[0], parts[1]));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new CredentialRefusedException(false, "service-account user '" + user + "': " + e.getMessage()));
    }
  }
}
