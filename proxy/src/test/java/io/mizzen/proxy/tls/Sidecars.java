package io.mizzen.proxy.tls;

import io.mizzen.proxy.MeshProxy;
import io.mizzen.proxy.ProxyOptions;
import io.mizzen.proxy.authz.InboundSecurity;
import io.mizzen.proxy.engine.ProxyEngine;
import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.SourceLocation;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.discovery.ServicePort;
import io.mizzen.spi.proxy.ProxySnapshot;
import io.mizzen.spi.proxy.WorkloadInfo;
import io.vertx.core.Future;
import io.mizzen.proxy.access.AccessLogEntry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real Bookinfo sidecars for tests: one app (answering with who called, as the inbound saw it),
 * and per workload a proxy with an outbound and an enforcing inbound, certificates from a test
 * mesh root, and the snapshot every proxy gets (ISTIO_MUTUAL to every service, plus the security
 * resources a test adds). Test only.
 */
final class Sidecars implements AutoCloseable {
  static final String TRUST_DOMAIN = "cluster.local";
  final Vertx vertx = io.mizzen.proxy.MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  final HttpClient client = vertx.createHttpClient();
  final TestPki mesh;
  final HttpServer app;
  final Map<String, Sidecar> sidecars = new LinkedHashMap<>();
  private int version;

  /** One workload's proxy and its certificate source (which a test may renew). */
  record Sidecar(String app, WorkloadInfo workload, MeshProxy proxy, HeldCertificates certificates, InboundSecurity security) {}

  Sidecars() throws Exception {
    mesh = new TestPki("mesh");
    app = await(vertx.createHttpServer()
        .requestHandler(req -> req.response().end("app saw " + req.getHeader("x-mizzen-peer")))
        .listen(0, "127.0.0.1"));
  }

  /** Starts {@code app}'s sidecar, its service account {@code bookinfo-<app>}, port 9080. */
  Sidecar start(String appName) throws Exception {
    return start(appName, mesh.workload("bookinfo-" + appName));
  }

  Sidecar start(String appName, WorkloadCredentials credentials) {
    return start(appName, credentials, List.of());
  }

  /** As {@link #start(String, WorkloadCredentials)}, with extra filters (a Mixer hook, say). */
  Sidecar start(String appName, WorkloadCredentials credentials, List<io.mizzen.proxy.filter.ProxyFilter> filters) {
    WorkloadInfo workload = new WorkloadInfo(appName, "default", Map.of("app", appName, "version", "v1"),
        "bookinfo-" + appName, "127.0.0.1", 9080);
    HeldCertificates certificates = new HeldCertificates(credentials);
    InboundSecurity security = InboundSecurity.of(vertx, workload, "istio-system", TRUST_DOMAIN, Clock.systemUTC());
    MeshProxy proxy = await(ProxyEngine.start(vertx,
        ProxyOptions.sidecar().withOutboundPort(0).withInbound(0, app.actualPort()).withSourceLabels(workload.labels()).withDrainPeriod(java.time.Duration.ZERO),
        filters, MeshTls.create(certificates), TRUST_DOMAIN, security));
    Sidecar s = new Sidecar(appName, workload, proxy, certificates, security);
    sidecars.put(appName, s);
    return s;
  }

  /** The snapshot with ISTIO_MUTUAL to every started sidecar plus {@code security}. */
  ProxySnapshot snapshot(List<Resource> security) {
    List<Resource> resources = new ArrayList<>(security);
    List<ServiceInstance> instances = new ArrayList<>();
    for (Sidecar s : sidecars.values()) {
      instances.add(new ServiceInstance(s.app(), "default", s.app() + ".default.svc.cluster.local", "127.0.0.1",
          List.of(new ServicePort("http", 9080, s.proxy().inboundPort(), "HTTP")), s.workload().labels(),
          s.workload().serviceAccount(), "test"));
      resources.add(new Resource("networking.istio.io/v1alpha3", "DestinationRule", s.app(), "default", null, null,
          Map.of("host", s.app(), "trafficPolicy", Map.of("tls", Map.of("mode", "ISTIO_MUTUAL"))),
          new SourceLocation("inline", 0, 1)));
    }
    return new ProxySnapshot(Integer.toString(++version), resources, instances);
  }

  /** Applies the same snapshot to every sidecar. */
  void apply(List<Resource> security) {
    ProxySnapshot snapshot = snapshot(security);
    for (Sidecar s : sidecars.values()) {
      await(s.proxy().apply(snapshot));
    }
  }

  /** Through {@code from}'s outbound to {@code to}: status and body. */
  String[] call(String from, String to, String method) {
    return request(sidecars.get(from).proxy().outboundPort(), to, method, Map.of());
  }

  String[] call(String from, String to, String method, Map<String, String> headers) {
    return request(sidecars.get(from).proxy().outboundPort(), to, method, headers);
  }

  /** Plain text straight at {@code to}'s inbound, as a caller outside the mesh: status and body. */
  String[] plain(String to) {
    return request(sidecars.get(to).proxy().inboundPort(), to, "GET", Map.of());
  }

  String[] request(int port, String host, String method, Map<String, String> headers) {
    RequestOptions o = new RequestOptions().setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(host).setPort(9080).setURI("/").setMethod(io.vertx.core.http.HttpMethod.valueOf(method)).setTimeout(20_000);
    o.setConnectTimeout(20_000);
    headers.forEach(o::putHeader);
    // A client per request: no connection (and no pool state) carries over from one step to the next.
    HttpClient once = vertx.createHttpClient();
    return await(io.mizzen.proxy.OneLoop.run(vertx, () -> once.request(o).compose(r -> r.send())
        .compose(resp -> resp.body().map(b -> new String[] {Integer.toString(resp.statusCode()), b.toString()}))
        .andThen(ar -> once.close())));
  }

  /**
   * A plain-text request on a raw socket to {@code to}'s inbound: the response head and body the
   * proxy sent, or empty when it closed the connection without a word. Bounded at 20 s.
   */
  String rawPlain(String to) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", sidecars.get(to).proxy().inboundPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: " + to + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder got = new StringBuilder();
      int contentLength = -1;
      int headEnd = -1;
      byte[] buf = new byte[4096];
      try {
        // Until the head and Content-Length bytes of body are in, or the proxy closes.
        while (headEnd < 0 || got.length() < headEnd + contentLength) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
          if (headEnd < 0 && got.indexOf("\r\n\r\n") >= 0) {
            headEnd = got.indexOf("\r\n\r\n") + 4;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(got.substring(0, headEnd));
            contentLength = m.find() ? Integer.parseInt(m.group(1)) : 0;
          }
        }
      } catch (java.net.SocketException reset) {
        // A reset is a refusal too.
      }
      return got.toString();
    }
  }

  /** {@code to}'s Istio metrics once a line matching every fragment is there (counted just after the reply). */
  String metricsOnceCounted(String to, String... fragments) {
    io.vertx.core.Promise<String> counted = io.vertx.core.Promise.promise();
    MeshProxy proxy = sidecars.get(to).proxy();
    long timer = vertx.setPeriodic(5, id -> {
      String text = proxy.metrics().render();
      if (text.lines().anyMatch(l -> java.util.Arrays.stream(fragments).allMatch(l::contains))) {
        counted.tryComplete(text);
      }
    });
    try {
      return await(counted.future());
    } catch (AssertionError e) {
      throw new AssertionError("no metric line with " + List.of(fragments) + " in:\n" + proxy.metrics().render(), e);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  /** The first entry of {@code log} matching, once logged (entries are written after the reply). */
  static AccessLogEntry logged(Vertx vertx, List<AccessLogEntry> log, java.util.function.Predicate<AccessLogEntry> which) {
    io.vertx.core.Promise<AccessLogEntry> found = io.vertx.core.Promise.promise();
    long timer = vertx.setPeriodic(5, id -> log.stream().filter(which).findFirst().ifPresent(found::tryComplete));
    try {
      return await(found.future(), 20);
    } catch (AssertionError e) {
      throw new AssertionError("nothing matching in " + log, e);
    } finally {
      vertx.cancelTimer(timer);
    }
  }

  /** The subject of the client certificate a TLS server's request came with, or {@code none}. */
  static String clientSubject(io.vertx.core.http.HttpServerRequest req) {
    try {
      return ((java.security.cert.X509Certificate) req.connection().peerCertificates().get(0))
          .getSubjectX500Principal().getName();
    } catch (Exception e) {
      return "none";
    }
  }

  static Resource resource(String yaml) {
    return io.mizzen.proxy.authz.Yaml.parse(yaml, "inline").get(0);
  }

  static <T> T await(Future<T> f) {
    return await(f, 30);
  }

  static <T> T await(Future<T> f, int seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future failed: " + e, e);
    }
  }

  @Override
  public void close() {
    List<Future<Void>> closing = new ArrayList<>();
    sidecars.values().forEach(s -> closing.add(s.proxy().close()));
    await(Future.join(closing));
    await(vertx.close());
  }
}
