package io.mizzen.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy's two small HTTP endpoints beside its listeners, as Istio's sidecar has them:
 * {@code /healthz/ready} (200 once the first snapshot is in force, 503 before) on the health port
 * and {@code /stats/prometheus} on the Prometheus port. A port below 0 turns one off; 0 picks one.
 */
final class ProxyEndpoints {
  private final List<HttpServer> servers = new ArrayList<>();
  private int healthPort = -1;
  private int prometheusPort = -1;

  Future<Void> listen(Vertx vertx, String host, int health, int prometheus, MeshProxy proxy) {
    Future<Void> h = health < 0 ? Future.succeededFuture()
        : serve(vertx, host, health, request -> ready(request, proxy)).map(port -> {
          healthPort = port;
          return null;
        });
    return h.compose(ignored -> prometheus < 0 ? Future.succeededFuture()
        : serve(vertx, host, prometheus, request -> metrics(request, proxy)).map(port -> {
          prometheusPort = port;
          return null;
        }));
  }

  int healthPort() {
    return healthPort;
  }

  int prometheusPort() {
    return prometheusPort;
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    servers.forEach(s -> closing.add(s.close()));
    return Future.all(closing).mapEmpty();
  }

  private Future<Integer> serve(Vertx vertx, String host, int port, io.vertx.core.Handler<HttpServerRequest> handler) {
    // HTTP/1.1 only: scrapers and probes speak it, and an h2c upgrade (java.net.http's default)
    // answered with a large body broke the exchange.
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
        .requestHandler(handler);
    return server.listen(port, host)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "proxy: cannot bind " + host + ":" + port + ": " + e.getMessage(), e)))
        .map(bound -> {
          servers.add(bound);
          return bound.actualPort();
        });
  }

  private static void ready(HttpServerRequest request, MeshProxy proxy) {
    if (!request.path().equals("/healthz/ready")) {
      request.response().setStatusCode(404).end("not found: " + request.path() + "\n");
    } else if (proxy.ready()) {
      request.response().end("ready, snapshot " + proxy.version() + "\n");
    } else {
      request.response().setStatusCode(503).end("no snapshot from Pilot yet\n");
    }
  }

  private static void metrics(HttpServerRequest request, MeshProxy proxy) {
    if (!request.path().equals("/stats/prometheus")) {
      request.response().setStatusCode(404).end("not found: " + request.path() + "\n");
      return;
    }
    request.response().putHeader("content-type", "text/plain; version=0.0.4").end(proxy.metrics().render() + proxy.tcpStats().render());
  }
}
