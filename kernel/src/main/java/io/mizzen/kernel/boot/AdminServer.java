package io.mizzen.kernel.boot;

import io.mizzen.kernel.plugins.LoadedPlugin;
import io.mizzen.kernel.plugins.PluginRefusal;
import io.mizzen.spi.MeshFunction;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The kernel's admin endpoints (Envoy's admin port, 15000):
 * <ul>
 *   <li>{@code GET /healthz/ready}: 200 once every function of the role is started and ready,
 *       503 naming the ones that are not;</li>
 *   <li>{@code GET /plugins}: the loaded plugins with their extensions, and the refused files
 *       with why, as JSON;</li>
 *   <li>{@code POST /quitquitquit}: stops the kernel (a Job's app tells its sidecar to go).</li>
 * </ul>
 */
final class AdminServer {
  private final KernelBoot kernel;
  private HttpServer server;

  AdminServer(KernelBoot kernel) {
    this.kernel = kernel;
  }

  Future<Void> listen(String host, int port) {
    server = kernel.vertx().createHttpServer().requestHandler(this::handle);
    return server.listen(port, host).mapEmpty();
  }

  int port() {
    return server == null ? -1 : server.actualPort();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/healthz/ready") && req.method() == HttpMethod.GET) {
      ready(req);
    } else if (path.equals("/plugins") && req.method() == HttpMethod.GET) {
      json(req, 200, plugins());
    } else if (path.equals("/quitquitquit") && req.method() == HttpMethod.POST) {
      req.response().setStatusCode(200).end("stopping\n")
          .onComplete(v -> kernel.vertx().setTimer(50, id -> kernel.stop()));
    } else {
      req.response().setStatusCode(404).putHeader("content-type", "text/plain")
          .end("no admin endpoint " + req.method() + " " + path
              + " (try /healthz/ready, /plugins, POST /quitquitquit)\n");
    }
  }

  private void ready(HttpServerRequest req) {
    if (kernel.ready()) {
      req.response().setStatusCode(200).putHeader("content-type", "text/plain").end("ready\n");
      return;
    }
    JsonArray waiting = new JsonArray();
    kernel.functions().stream().filter(f -> !f.ready()).map(MeshFunction::name).forEach(waiting::add);
    req.response().setStatusCode(503).putHeader("content-type", "text/plain")
        .end("not ready: waiting for " + waiting.encode() + "\n");
  }

  private JsonObject plugins() {
    JsonArray loaded = new JsonArray();
    for (LoadedPlugin p : kernel.plugins().loaded()) {
      JsonArray extensions = new JsonArray();
      p.extensions().forEach(x -> extensions.add(new JsonObject()
          .put("point", x.point()).put("class", x.className()).put("name", x.name())));
      loaded.add(new JsonObject().put("id", p.id()).put("version", p.version())
          .put("requires", p.requires()).put("provider", p.provider())
          .put("file", p.file().getFileName().toString()).put("extensions", extensions));
    }
    JsonArray refused = new JsonArray();
    for (PluginRefusal r : kernel.plugins().refused()) {
      refused.add(new JsonObject().put("file", r.file().getFileName().toString())
          .put("reason", r.reason()).put("at", r.at().toString()));
    }
    JsonArray functions = new JsonArray();
    kernel.functions().forEach(f -> functions.add(new JsonObject().put("name", f.name())
        .put("ready", f.ready()).put("plugin", kernel.plugins().pluginOf(f))));
    return new JsonObject().put("loaded", loaded).put("refused", refused)
        .put("functions", functions);
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body.encodePrettily());
  }
}
