package io.mizzen.plugins.kubernetes;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.ca.CredentialRefusedException;
import io.mizzen.spi.ca.CredentialVerifier;
import io.mizzen.spi.ca.SpiffeId;
import io.vertx.core.Future;
import java.util.List;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes service-account JWTs, verified by the API server ({@code TokenReview},
 * {@code authentication.k8s.io/v1}), as Istio's Citadel does: an authenticated
 * {@code system:serviceaccount:<ns>:<sa>} becomes {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}.
 * With {@code audiences} set (or {@code MIZZEN_CA_AUDIENCE}), the token must be issued for one of
 * them. The control plane's service account needs {@code create} on {@code tokenreviews}
 * (ops/kubernetes/rbac.yaml).
 */
@Extension
public final class TokenReviewVerifier implements CredentialVerifier {
  static final String NAME = "kubernetes-tokenreview";
  private static final Logger LOG = LoggerFactory.getLogger(TokenReviewVerifier.class);
  private static final String SA_PREFIX = "system:serviceaccount:";

  private volatile MeshContext mesh;
  private volatile KubeSettings settings;
  private volatile KubernetesClient client;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<Void> start(MeshContext context) {
    KubeSettings s;
    try {
      s = KubeSettings.from(context.settings(ServiceInstances.SOURCE), System.getenv());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    mesh = context;
    settings = s;
    if (!s.enabled()) {
      LOG.info("TokenReview is off (not in a cluster and plugins.settings.kubernetes.enabled is not true): "
          + "service-account tokens are refused");
      return Future.succeededFuture();
    }
    return context.executeBlocking(() -> KubeClients.create(s)).map(c -> {
      client = c;
      return null;
    });
  }

  @Override
  public Future<SpiffeId> verify(String credential) {
    KubernetesClient c = client;
    MeshContext m = mesh;
    if (m == null) {
      return Future.failedFuture(new IllegalStateException("the TokenReview verifier is not started"));
    }
    if (c == null) {
      return Future.failedFuture(new CredentialRefusedException(
          "service-account tokens cannot be verified: Kubernetes is not enabled on this control plane"));
    }
    if (credential == null || credential.isBlank()) {
      return Future.failedFuture(new CredentialRefusedException("empty service-account token"));
    }
    List<String> audiences = settings.audiences();
    TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(credential).withAudiences(audiences).endSpec().build();
    return m.executeBlocking(() -> c.authentication().v1().tokenReviews().create(request))
        .compose(review -> identity(review.getStatus(), audiences, m.trustDomain()));
  }

  static Future<SpiffeId> identity(TokenReviewStatus status, List<String> audiences, String trustDomain) {
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      String why = status == null || status.getError() == null || status.getError().isBlank() ? "not authenticated" : status.getError();
      return Future.failedFuture(new CredentialRefusedException("the API server refused the service-account token: " + why));
    }
    if (!audiences.isEmpty() && (status.getAudiences() == null || status.getAudiences().stream().noneMatch(audiences::contains))) {
      return Future.failedFuture(new CredentialRefusedException("the service-account token is not for audience " + audiences
          + " (it is for " + status.getAudiences() + ")"));
    }
    String user = status.getUser() == null ? null : status.getUser().getUsername();
    if (user == null || !user.startsWith(SA_PREFIX)) {
      return Future.failedFuture(new CredentialRefusedException("the token belongs to '" + user + "', not a service account"));
    }
    String[] parts = user.substring(SA_PREFIX.length()).split(":", -1);
    if (parts.length != 2) {
      return Future.failedFuture(new CredentialRefusedException("malformed service-account user name '" + user + "'"));
    }
    try {
      return Future.succeededFuture(SpiffeId.of(trustDomain, parts[0], parts[1]));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new CredentialRefusedException("service-account user '" + user + "': " + e.getMessage()));
    }
  }

  @Override
  public Future<Void> stop() {
    KubernetesClient c = client;
    client = null;
    if (c != null) {
      c.close();
    }
    return Future.succeededFuture();
  }
}
