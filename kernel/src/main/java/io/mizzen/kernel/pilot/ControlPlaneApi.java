package io.mizzen.kernel.pilot;

import io.mizzen.kernel.config.ApplyResult;
import io.mizzen.kernel.config.ConfigLoader;
import io.mizzen.kernel.config.ConfigProblem;
import io.mizzen.kernel.config.ConfigSnapshot;
import io.mizzen.kernel.config.ConfigStore;
import io.mizzen.kernel.config.FolderSource;
import io.mizzen.kernel.config.Loaded;
import io.mizzen.kernel.discovery.MeshDiscovery;
import io.mizzen.spi.MeshContext;
import io.mizzen.spi.MeshFunction;
import io.mizzen.spi.Role;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.ResourceKey;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.wire.pilot.CertificateInfo;
import io.mizzen.spi.wire.pilot.RootInfo;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The control plane's HTTP API on the monitoring port (15014), which the operator commands talk
 * to: {@code POST /apply} and {@code POST /delete} (YAML bodies), {@code GET /resources?kind=&name=
 * &namespace=&format=yaml}, {@code GET /debug/configz}, {@code GET /debug/syncz} and
 * {@code GET /debug/proxy?id=} (what one proxy holds, and the workload certificate it reported
 * serving under {@code certificate}, null when none) and {@code GET /debug/describe?workload=
 * &namespace=} (a workload's effective mTLS mode per port and the policies and rules that apply to
 * it, for {@code mizzen describe}). Order 40: after Pilot.
 */
@Extension
public final class ControlPlaneApi implements MeshFunction {
  private static final int MAX_BODY = 64 * 1024 * 1024;
  private HttpServer http;
  private MeshContext context;
  private ConfigStore store;
  private final ConfigLoader loader = ConfigLoader.create();

  /**
   * Where the API listens (the actual port when the settings say 0).
   *
   * @param host the bound address
   * @param port the bound port
   */
  public record Endpoint(String host, int port) {}

  @Override
  public String name() {
    return "control-plane-api";
  }

  @Override
  public Set<Role> roles() {
    return Set.of(Role.CONTROL_PLANE);
  }

  @Override
  public int order() {
    return 40;
  }

  /** Completes once the API listens; fails when the port cannot be bound or the store is missing. */
  @Override
  public Future<Void> start(MeshContext ctx) {
    this.context = ctx;
    this.store = ctx.lookup(ConfigStore.class);
    if (store == null) {
      return Future.failedFuture(new IllegalStateException("the control-plane API needs the config store"));
    }
    http = ctx.vertx().createHttpServer().requestHandler(this::handle);
    return http.listen(ctx.ports().monitoring(), ctx.bindAddress())
        .onSuccess(s -> ctx.publish(Endpoint.class, new Endpoint(ctx.bindAddress(), s.actualPort())))
        .mapEmpty();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (req.method() == HttpMethod.POST && (path.equals("/apply") || path.equals("/delete"))) {
      req.body().compose(body -> {
        if (body.length() > MAX_BODY) {
          return Future.failedFuture(new IllegalArgumentException("body over " + MAX_BODY + " bytes"));
        }
        String origin = req.getParam("origin", "apply");
        return context.executeBlocking(() -> loader.read(origin, body.toString()))
            .compose(loaded -> path.equals("/apply") ? apply(loaded) : delete(loaded));
      }).onSuccess(answer -> json(req, answer.getBoolean("accepted") ? 200 : 422, answer))
          .onFailure(e -> json(req, 400, new JsonObject().put("accepted", false)
              .put("errors", new JsonArray().add(String.valueOf(e.getMessage())))));
      return;
    }
    if (req.method() != HttpMethod.GET) {
      json(req, 405, new JsonObject().put("error", req.method() + " " + path + " is not served"));
      return;
    }
    switch (path) {
      case "/resources" -> resources(req);
      case "/debug/configz" -> json(req, 200, configz());
      case "/debug/syncz" -> json(req, 200, syncz());
      case "/debug/proxy" -> proxy(req);
      case "/debug/describe" -> describe(req);
      default -> json(req, 404, new JsonObject().put("error", "no such path: " + path
          + " (served: /apply, /delete, /resources, /debug/configz, /debug/syncz, /debug/proxy, /debug/describe)"));
    }
  }

  private Future<JsonObject> apply(Loaded loaded) {
    if (!loaded.errors().isEmpty()) {
      return Future.succeededFuture(answer(false, loaded.problems(), null));
    }
    return store.apply(loaded.resources(), List.of()).map(result -> {
      List<ConfigProblem> all = new ArrayList<>(loaded.problems());
      all.addAll(result.problems());
      return answer(result.ok(), all, result);
    });
  }

  private Future<JsonObject> delete(Loaded loaded) {
    if (!loaded.errors().isEmpty()) {
      return Future.succeededFuture(answer(false, loaded.problems(), null));
    }
    List<ResourceKey> keys = loaded.resources().stream().map(Resource::key).toList();
    return store.apply(List.of(), keys).map(result -> answer(true, loaded.problems(), result));
  }

  private static JsonObject answer(boolean accepted, List<ConfigProblem> problems, ApplyResult result) {
    JsonArray errors = new JsonArray();
    JsonArray warnings = new JsonArray();
    JsonArray notes = new JsonArray();
    for (ConfigProblem p : problems) {
      (p.isError() ? errors : p.severity() == ConfigProblem.Severity.WARNING ? warnings : notes).add(p.toString());
    }
    JsonObject o = new JsonObject().put("accepted", accepted).put("errors", errors).put("warnings", warnings)
        .put("notes", notes);
    if (result != null) {
      o.put("version", result.version())
          .put("applied", keys(result.accepted())).put("deleted", keys(result.deleted()))
          .put("refused", keys(result.refused()));
    }
    return o;
  }

  private static JsonArray keys(List<ResourceKey> keys) {
    JsonArray a = new JsonArray();
    keys.forEach(k -> a.add(k.toString()));
    return a;
  }

  private void resources(HttpServerRequest req) {
    String kind = req.getParam("kind", "");
    String name = req.getParam("name", "");
    String namespace = req.getParam("namespace", "");
    List<Resource> matching = store.snapshot().resources().values().stream()
        .filter(r -> kind.isEmpty() || r.kind().equalsIgnoreCase(kind))
        .filter(r -> name.isEmpty() || r.name().equals(name))
        .filter(r -> namespace.isEmpty() || r.namespace().equals(namespace))
        .toList();
    if ("yaml".equals(req.getParam("format"))) {
      req.response().putHeader("content-type", "application/yaml").end(loader.toYaml(matching));
      return;
    }
    JsonArray items = new JsonArray();
    matching.forEach(r -> items.add(new JsonObject(WireItems.encode(r))));
    json(req, 200, new JsonObject().put("version", store.snapshot().version()).put("items", items));
  }

  private JsonObject configz() {
    ConfigSnapshot s = store.snapshot();
    JsonObject byKind = new JsonObject();
    s.resources().values().forEach(r -> byKind.put(r.kind(), byKind.getInteger(r.kind(), 0) + 1));
    JsonArray keys = new JsonArray();
    s.resources().keySet().forEach(k -> keys.add(k.toString()));
    JsonObject o = new JsonObject().put("version", s.version()).put("kinds", byKind).put("resources", keys);
    MeshDiscovery discovery = context.lookup(MeshDiscovery.class);
    if (discovery != null) {
      JsonArray instances = new JsonArray();
      discovery.instances().forEach(i -> instances.add(new JsonObject(WireItems.encode(i))));
      o.put("instances", instances);
    }
    FolderSource folder = context.lookup(FolderSource.class);
    if (folder != null) {
      JsonObject problems = new JsonObject();
      folder.problems().forEach((file, list) -> problems.put(file, new JsonArray(new ArrayList<>(list))));
      o.put("folderProblems", problems);
    }
    return o;
  }

  private JsonObject syncz() {
    PushStatus status = context.lookup(PushStatus.class);
    JsonArray proxies = new JsonArray();
    if (status != null) {
      status.proxies().forEach(p -> proxies.add(status(p)));
    }
    return new JsonObject().put("proxies", proxies);
  }

  private static JsonObject status(ProxyStatus p) {
    return new JsonObject().put("id", p.node().id()).put("service", p.node().service())
        .put("namespace", p.node().namespace()).put("role", p.node().role()).put("address", p.node().address())
        .put("sent", p.sent()).put("acked", p.acked()).put("status", p.sync().name().replace('_', ' '))
        .put("lastError", p.lastError()).put("resources", p.resources()).put("instances", p.instances());
  }

  private void proxy(HttpServerRequest req) {
    PushStatus status = context.lookup(PushStatus.class);
    String id = req.getParam("id", "");
    PushStatus.Holdings h = status == null ? null : status.holdings(id);
    if (h == null) {
      json(req, 404, new JsonObject().put("error", "no connected proxy '" + id + "' (see /debug/syncz)"));
      return;
    }
    JsonArray resources = new JsonArray();
    h.resources().forEach(r -> resources.add(new JsonObject(WireItems.encode(r))));
    JsonArray instances = new JsonArray();
    for (ServiceInstance i : h.instances()) {
      instances.add(new JsonObject(WireItems.encode(i)));
    }
    json(req, 200, new JsonObject().put("status", status(h.status())).put("resources", resources)
        .put("instances", instances).put("certificate", certificate(h.certificate())));
  }

  /** The certificate a proxy reported serving, or null (JSON null) when it reported none. */
  private static JsonObject certificate(CertificateInfo c) {
    if (c == null) {
      return null;
    }
    JsonArray roots = new JsonArray();
    for (RootInfo r : c.getRootsList()) {
      roots.add(new JsonObject().put("serial", r.getSerial()).put("subject", r.getSubject())
          .put("notBefore", instant(r.getNotBeforeUnixMs())).put("notAfter", instant(r.getNotAfterUnixMs())));
    }
    return new JsonObject().put("serial", c.getSerial())
        .put("subjectAltNames", new JsonArray(new ArrayList<>(c.getSubjectAltNamesList())))
        .put("notBefore", instant(c.getNotBeforeUnixMs())).put("notAfter", instant(c.getNotAfterUnixMs()))
        .put("issuer", c.getIssuer()).put("roots", roots);
  }

  private static String instant(long unixMillis) {
    return java.time.Instant.ofEpochMilli(unixMillis).toString();
  }

  /**
   * {@code mizzen describe}: {@code workload} is a connected proxy's id or a service with instances
   * in {@code namespace} (default {@code default}); one entry per distinct set of labels, service
   * account and ports among that service's instances.
   */
  private void describe(HttpServerRequest req) {
    String name = req.getParam("workload", "");
    String namespace = req.getParam("namespace", "");
    namespace = namespace.isEmpty() ? "default" : namespace;
    if (name.isEmpty()) {
      json(req, 400, new JsonObject().put("error", "describe needs ?workload=NAME (a proxy id or a service name)"));
      return;
    }
    MeshDiscovery discovery = context.lookup(MeshDiscovery.class);
    PushStatus status = context.lookup(PushStatus.class);
    List<ProxyNode> proxies = status == null ? List.of() : status.proxies().stream().map(ProxyStatus::node).toList();
    WorkloadDescription.Found found = WorkloadDescription.find(name, namespace,
        discovery == null ? List.of() : discovery.instances(), proxies);
    List<WorkloadDescription.Target> targets = found.targets();
    if (targets.isEmpty()) {
      json(req, 404, new JsonObject().put("error", "no workload '" + name + "' in namespace " + namespace
          + ": it is neither a connected proxy (see proxy-status) nor a service with instances in discovery"));
      return;
    }
    ConfigSnapshot config = store.snapshot();
    WorkloadDescription description;
    try {
      description = new WorkloadDescription(config.resources().values(), context.rootNamespace());
    } catch (IllegalArgumentException e) {
      json(req, 500, new JsonObject().put("error", e.getMessage()));
      return;
    }
    JsonArray workloads = new JsonArray();
    targets.forEach(t -> workloads.add(description.describe(t)));
    json(req, 200, new JsonObject().put("workload", name).put("namespace", found.namespace())
        .put("version", config.version()).put("workloads", workloads));
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encodePrettily());
  }

  @Override
  public Future<Void> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }
}
