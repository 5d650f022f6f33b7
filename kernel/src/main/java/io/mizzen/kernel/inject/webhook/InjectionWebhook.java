package io.mizzen.kernel.inject.webhook;

import io.mizzen.kernel.inject.SidecarInjector;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The sidecar-injection admission webhook ({@code POST /inject}, AdmissionReview v1), as
 * configured by ops/kubernetes/webhook.yaml. It always answers over HTTPS in production; the TLS
 * certificate (for {@code mizzen-control-plane.mizzen-system.svc}) comes from the mesh CA and is
 * given in the server options by the caller.
 */
public interface InjectionWebhook extends Handler<HttpServerRequest> {

  /** The path Kubernetes calls, as in the MutatingWebhookConfiguration. */
  String PATH = "/inject";

  /** A webhook applying {@code injector} to every pod it is sent. */
  static InjectionWebhook create(SidecarInjector injector) {
    return new AdmissionReviewHandler(injector);
  }

  /**
   * Answers one AdmissionReview. Pure and CPU-only: safe on an event loop.
   *
   * @param review the AdmissionReview v1 object Kubernetes posted
   * @return the AdmissionReview carrying the response: allowed with a base64 JSONPatch when the
   *     pod was injected, allowed without a patch when it is left alone, not allowed (with the
   *     reason in {@code status.message}) when the pod cannot be injected
   * @throws IllegalArgumentException when {@code review} is not an AdmissionReview request
   */
  JsonObject review(JsonObject review);

  /**
   * Starts an HTTP server for {@code webhook} on {@code options}' host and port.
   *
   * @return a Future that completes with the listening server, or fails when the port cannot be
   *     bound or the TLS options are unusable
   */
  static Future<HttpServer> serve(Vertx vertx, InjectionWebhook webhook, HttpServerOptions options) {
    return vertx.createHttpServer(options).requestHandler(webhook).listen();
  }
}
