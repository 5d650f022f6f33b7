package io.mizzen.kernel.demo;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One tiny Bookinfo service. Each answers JSON naming its service and version; productpage nests
 * the answers (or the error status) of details and reviews, and reviews v2/v3 nest ratings, so a
 * person can trace which version served each hop. Calls to other services go through the
 * service's own sidecar (its outbound listener, HTTP_PROXY style: the Host header names the
 * service), and carry {@code end-user} and the trace headers onward, as Bookinfo's apps do.
 */
public final class BookinfoService {
  /** The headers Bookinfo's apps forward so routing and tracing work across hops. */
  static final List<String> FORWARDED = List.of("end-user", "user-agent", "x-request-id",
      "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid",
      "x-b3-sampled", "x-b3-flags", "b3", "cookie");

  private final String service;
  private final String version;
  private final java.util.function.IntSupplier outboundPort;
  private HttpServer server;
  private HttpClient client;

  /**
   * @param outboundPort the port of this service's sidecar outbound listener on loopback
   */
  public BookinfoService(String service, String version, java.util.function.IntSupplier outboundPort) {
    this.service = service;
    this.version = version;
    this.outboundPort = outboundPort;
  }

  /** Starts on {@code port} (0 picks one). @return a Future with the bound port */
  public Future<Integer> start(Vertx vertx, int port) {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(port, "127.0.0.1").map(HttpServer::actualPort);
  }

  public Future<Void> stop() {
    Future<Void> s = server == null ? Future.succeededFuture() : server.close();
    return s.compose(v -> client == null ? Future.succeededFuture() : client.close());
  }

  private void handle(HttpServerRequest req) {
    JsonObject me = new JsonObject().put("service", service).put("version", version)
        .put("path", req.path());
    String user = req.getHeader("end-user");
    if (user != null) {
      me.put("end-user", user);
    }
    Future<JsonObject> answer = switch (service) {
      case "productpage" -> Future.join(call("details", "/details/0", req.headers()),
              call("reviews", "/reviews/0", req.headers()))
          .map(all -> me.put("details", all.resultAt(0)).put("reviews", all.resultAt(1)));
      case "reviews" -> version.equals("v1")
          ? Future.succeededFuture(me.put("stars", "none"))
          : call("ratings", "/ratings/0", req.headers())
              .map(r -> me.put("ratings", r).put("stars", version.equals("v2") ? "black" : "red"));
      case "ratings" -> Future.succeededFuture(me.put("rating", 5));
      default -> Future.succeededFuture(me.put("author", "William Shakespeare")
          .put("year", 1595).put("type", "paperback"));
    };
    answer.onComplete(ar -> req.response().putHeader("content-type", "application/json")
        .setStatusCode(ar.succeeded() ? 200 : 500)
        .end(ar.succeeded() ? ar.result().encodePrettily()
            : new JsonObject().put("service", service).put("error", ar.cause().getMessage()).encode()));
  }

  /** Calls another service through the sidecar; a failure is reported inside the answer. */
  private Future<JsonObject> call(String target, String path, MultiMap incoming) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost("127.0.0.1").setPort(outboundPort.getAsInt()).setURI(path)
        .putHeader("host", target + ":9080");
    for (String h : FORWARDED) {
      String v = incoming.get(h);
      if (v != null) {
        options.putHeader(h, v);
      }
    }
    return client.request(options)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> {
          if (resp.statusCode() == 200) {
            try {
              return new JsonObject(body);
            } catch (RuntimeException notJson) {
              return new JsonObject().put("status", 200).put("body", body.toString());
            }
          }
          return new JsonObject().put("error", resp.statusCode())
              .put("body", body.toString().trim())
              .put("flags", resp.getHeader("x-mizzen-response-flags"));
        }))
        .recover(e -> Future.succeededFuture(new JsonObject().put("error", "unreachable")
            .put("body", String.valueOf(e.getMessage()))));
  }
}
