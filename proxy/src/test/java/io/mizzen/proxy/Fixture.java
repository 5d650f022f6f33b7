package io.mizzen.proxy;

import io.mizzen.proxy.access.AccessLogEntry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Real servers and a real proxy on 127.0.0.1 for one test; closes all of it afterwards. */
final class Fixture implements AutoCloseable {
  final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  /** The proxy runs on its own Vert.x, as it would in its own process, apart from clients and upstreams. */
  final Vertx proxyVertx = MeshProxy.vertx(new VertxOptions().setEventLoopPoolSize(2));
  final HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(64));
  final LinkedBlockingQueue<AccessLogEntry> log = new LinkedBlockingQueue<>();
  private final List<HttpServer> servers = new ArrayList<>();
  MeshProxy proxy;

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future failed: " + e, e);
    }
  }

  ProxyOptions options() {
    return ProxyOptions.sidecar().withOutboundPort(0).withAccessLog(e -> { log.add(e); if (System.getenv("DEBUG_LOG") != null) System.err.println(e); });
  }

  MeshProxy start(ProxyOptions options) {
    proxy = await(MeshProxy.start(proxyVertx, options));
    return proxy;
  }

  /** An upstream answering every request with its handler. */
  HttpServer upstream(Handler<HttpServerRequest> handler) {
    HttpServer server = await(vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1"));
    servers.add(server);
    return server;
  }

  /** An upstream answering {@code name} plus what it saw. */
  HttpServer named(String name) {
    return upstream(req -> req.body().onSuccess(body -> req.response()
        .putHeader("x-served-by", name)
        .end(name + " " + req.method() + " " + req.uri() + " host=" + req.getHeader("host") + " body=" + body.length())));
  }

  record Reply(int status, MultiMap headers, String body) {}

  Reply send(HttpMethod method, String authority, String uri, Map<String, String> headers, String body) {
    return send(method, authority, uri, headers, body, proxy.outboundPort());
  }

  /** A request to one of the proxy's listeners. */
  Reply send(HttpMethod method, String authority, String uri, Map<String, String> headers, String body, int port) {
    RequestOptions options = new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setMethod(method).setURI(uri).setTimeout(20_000);
    int colon = authority.lastIndexOf(':');
    options.setHost(colon < 0 ? authority : authority.substring(0, colon));
    options.setPort(colon < 0 ? 80 : Integer.parseInt(authority.substring(colon + 1)));
    headers.forEach(options::putHeader);
    Future<Reply> reply = OneLoop.run(vertx, () -> client.request(options)
        .compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body)))
            // The body is asked for at once, before the connection can serve anyone else.
            .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString())))));
    return await(reply);
  }

  Reply get(String authority, String uri) {
    return send(HttpMethod.GET, authority, uri, Map.of(), null);
  }

  Reply get(String authority, String uri, Map<String, String> headers) {
    return send(HttpMethod.GET, authority, uri, headers, null);
  }

  /** Waits for an access log entry matching the predicate. */
  AccessLogEntry logEntry(Predicate<AccessLogEntry> p) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<AccessLogEntry> seen = new ArrayList<>();
    try {
      while (System.nanoTime() < deadline) {
        AccessLogEntry e = log.poll(100, TimeUnit.MILLISECONDS);
        if (e != null) {
          if (p.test(e)) {
            log.addAll(seen);
            return e;
          }
          seen.add(e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("no access log entry matched; saw " + seen);
  }

  /** Sends raw bytes to a port and reads until the peer closes or {@code timeout} passes. */
  static String raw(int port, byte[] request, Duration timeout) throws Exception {
    return RawExchange.text(port, request, (int) timeout.toMillis());
  }

  static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      int n;
      while ((n = in.read(chunk)) >= 0) {
        buf.write(chunk, 0, n);
      }
    } catch (SocketTimeoutException e) {
      buf.write("<timeout>".getBytes(StandardCharsets.UTF_8));
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (proxy != null) {
      await(proxy.close());
    }
    await(vertx.close());
    await(proxyVertx.close());
  }
}
