package io.mizzen.kernel.inject.probe;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** {@link AppHealthProbes} with one Vert.x HTTP client, probing the app over the pod's loopback. */
final class LocalAppProber implements AppHealthProbes {

  private final Map<String, AppProbe> probes;
  private final HttpClientAgent client;

  LocalAppProber(Vertx vertx, Map<String, AppProbe> probes) {
    this.probes = Map.copyOf(probes);
    // A fresh connection per probe, as the kubelet does: a kept-alive connection could hide an
    // app that stopped accepting new ones. Certificates are not checked, as by the kubelet.
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setTrustAll(true).setVerifyHost(false));
  }

  @Override
  public Set<String> paths() {
    return probes.keySet();
  }

  @Override
  public Future<Integer> probe(String path) {
    AppProbe p = probes.get(path);
    if (p == null) {
      return Future.failedFuture(new IllegalArgumentException("no app probe " + path + " (known: " + probes.keySet() + ")"));
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(p.host()).setPort(p.port())
        .setURI(p.path()).setSsl(p.https()).setTimeout(TimeUnit.SECONDS.toMillis(p.timeoutSeconds()));
    p.headers().forEach((name, value) -> {
      if (!AppProbe.HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        options.putHeader(name, value);
      }
    });
    return client.request(options)
        // The body is asked for as the response arrives (Vert.x 5.0.7 can lose a late ask's end).
        .compose(req -> req.send().compose(resp -> resp.body().map(ignored -> resp)))
        .map(HttpClientResponse::statusCode)
        .recover(e -> Future.failedFuture(new IllegalStateException((p.https() ? "https" : "http") + "://" + p.host() + ":"
            + p.port() + p.path() + " for " + path + " failed: " + e.getMessage(), e)));
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    if (!probes.containsKey(path)) {
      request.response().setStatusCode(404).end("no app probe " + path);
      return;
    }
    probe(path).onComplete(ar -> {
      if (ar.succeeded()) {
        request.response().setStatusCode(ar.result()).end();
      } else {
        // 503: the kubelet counts it as a failed probe, and the message says why in `kubectl describe`.
        request.response().setStatusCode(503).end(ar.cause().getMessage());
      }
    });
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}
