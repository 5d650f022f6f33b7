package io.mizzen.kernel.inject.probe;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * Serves {@code GET /app-health/...} on the agent's health port by probing the app as the
 * kubelet would have: the kubelet cannot reach an app behind STRICT mTLS, the agent can.
 * Mount it on the status server for paths starting with {@link #PREFIX}.
 */
public interface AppHealthProbes extends Handler<HttpServerRequest> {

  String PREFIX = "/app-health/";
  /** The environment variable kube-inject fills, in Istio's format. */
  String ENV = "ISTIO_KUBE_APP_PROBERS";

  /**
   * Probes from the JSON in {@code ISTIO_KUBE_APP_PROBERS} (null or blank: none).
   *
   * @throws IllegalArgumentException naming the probe path and field that is malformed
   */
  static AppHealthProbes create(Vertx vertx, String probersJson) {
    return new LocalAppProber(vertx, AppProbe.parseAll(probersJson));
  }

  /** The probe paths served, e.g. {@code /app-health/web/livez}. */
  Set<String> paths();

  /**
   * Runs one probe against the app.
   *
   * @return a Future completing with the app's HTTP status code; it fails when the path is not a
   *     known probe, or the app cannot be reached or does not answer within the probe's timeout
   */
  Future<Integer> probe(String path);

  /** Closes the HTTP client; the Future completes when it is closed. */
  Future<Void> close();
}
