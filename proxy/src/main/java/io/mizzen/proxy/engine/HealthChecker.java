package io.mizzen.proxy.engine;

import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.cluster.Endpoint;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.Collection;
import java.util.function.Supplier;

/**
 * Active HTTP health checks: probes every endpoint of the snapshot in force each interval and
 * marks it in or out of load balancing. Control-side work, so it uses Vert.x's HttpClient rather
 * than the data plane's pipeline; one probe per endpoint is in flight at a time.
 */
final class HealthChecker {
  private final Vertx vertx;
  private final ProxyOptions.HealthCheck check;
  private final Supplier<Collection<Endpoint>> endpoints;
  private final HttpClient client;
  private long timer = -1;

  HealthChecker(Vertx vertx, ProxyOptions.HealthCheck check, Supplier<Collection<Endpoint>> endpoints) {
    this.vertx = vertx;
    this.check = check;
    this.endpoints = endpoints;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout((int) check.timeout().toMillis()));
  }

  void start() {
    timer = vertx.setPeriodic(1, check.interval().toMillis(), t -> probeAll());
  }

  private void probeAll() {
    for (Endpoint e : endpoints.get()) {
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost(e.host()).setPort(e.port())
          .setURI(check.path()).setIdleTimeout(check.timeout().toMillis());
      client.request(o)
          .compose(req -> req.send().compose(resp -> resp.body().map(body -> resp.statusCode())))
          .onComplete(ar -> e.healthCheckResult(ar.succeeded() && ar.result() >= 200 && ar.result() < 300));
    }
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    client.close();
  }
}
