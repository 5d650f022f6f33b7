package io.mizzen.it.pilot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.it.support.FreePorts;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live traffic through a real sidecar (the distribution's {@code bin/mizzen sidecar}) while its
 * control plane ({@code bin/mizzen control-plane}, a watched config folder) dies and comes back:
 * requests route per the VirtualService; with the control plane killed (SIGKILL, later SIGTERM)
 * they keep routing on the last config; after a restart on the same ports and state folder an
 * edit of the folder reaches the sidecar and traffic follows it. A second sidecar's
 * self-registered workload becomes reachable through the first and unreachable once it stops.
 * The backends are plain HTTP servers in this JVM, known to the mesh through a ServiceEntry.
 */
class PilotFailoverIT {
  private static final Path DIST = Path.of(System.getProperty("mizzen.dist", "../dist/target/mizzen"));
  private static final Duration BOOT = Duration.ofSeconds(90);
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final int BURST = 30;

  @TempDir Path work;

  private final List<Process> processes = new ArrayList<>();
  private final Vertx backendVertx = Vertx.vertx();

  @AfterEach
  void stopAll() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(20, TimeUnit.SECONDS);
    }
    backendVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void sidecarKeepsRoutingWithoutItsControlPlaneAndResyncsAfterRestarts() throws Exception {
    int v1 = backend("v1");
    int v2 = backend("v2");
    int v3 = backend("echo-v3");
    int frontApp = backend("front-app");
    Path folder = Files.createDirectories(work.resolve("config"));
    Files.writeString(folder.resolve("backend.yaml"), mesh(v1, v2, "v1"));

    // Ports the test picks may be taken by another process before the child binds them: the
    // first boot of each process retries on fresh ports (restarts reuse the control plane's).
    int[] cpPorts = new int[3];
    Path cpYaml = work.resolve("cp.yaml");
    Process cp = startOnFreePorts("cp-1", cpPorts, () -> {
      Files.writeString(cpYaml, String.format("""
          pluginsDir: %s
          stateDir: %s
          config: {folder: %s}
          ports: {admin: %d, grpc: %d, grpcTls: 0, mixer: 0, monitoring: %d, webhook: 0, outbound: 0, inbound: 0, health: 0, prometheus: 0}
          plugins:
            settings:
              pilot: {debounceMillis: 20}
          """, DIST.resolve("plugins"), work.resolve("cp-state"), folder, cpPorts[0], cpPorts[1], cpPorts[2]));
      return new String[] {"--config", cpYaml.toString(), "control-plane"};
    });
    int cpAdmin = cpPorts[0];
    int grpc = cpPorts[1];
    int monitoring = cpPorts[2];

    int[] frontPorts = new int[2];
    startOnFreePorts("front", frontPorts, () -> new String[] {"--config",
        sidecarYaml("front", frontPorts[0], frontPorts[1]).toString(), "sidecar",
        "--service", "front", "--app-port", String.valueOf(frontApp), "--control-plane", "127.0.0.1:" + grpc});
    int frontAdmin = frontPorts[0];
    int frontOutbound = frontPorts[1];
    int[] echoPorts = new int[1];
    Process echo = startOnFreePorts("echo", echoPorts, () -> new String[] {"--config",
        sidecarYaml("echo", echoPorts[0], 0).toString(), "sidecar",
        "--service", "echo", "--app-port", String.valueOf(v3), "--control-plane", "127.0.0.1:" + grpc});

    // Routed per the VirtualService: every request to backend goes to v1.
    await("backend routed to v1", () -> call(frontOutbound, "backend:9080"), r -> r.ok("v1"));
    burst(frontOutbound, "backend:9080", "v1", "with the control plane up");

    // The self-registered workload appears in front's endpoints through real traffic...
    String echoHost = "echo:" + v3;
    String frontId = "front~127.0.0.1~" + frontApp + ".default";
    await("echo (self-registered) reachable through front", () -> call(frontOutbound, echoHost), r -> r.ok("echo-v3"));
    await("front acknowledged echo's endpoint", () -> endpointsOf(monitoring, frontId), services -> services.contains("echo"));
    // ... and leaves them once its sidecar stops (it deregisters on SIGTERM).
    echo.destroy();
    assertTrue(echo.waitFor(30, TimeUnit.SECONDS), "the echo sidecar did not stop on SIGTERM");
    // Gone from the endpoints front holds (as it acknowledged them), not merely dead; and no
    // longer answered through front.
    await("echo gone from front's endpoints", () -> endpointsOf(monitoring, frontId), services -> services.contains("(synced)") && !services.contains("echo"));
    Response afterStop = call(frontOutbound, echoHost);
    assertTrue(afterStop.status() != 200, "echo still answered through front: " + afterStop);

    // SIGKILL: no goodbye to the sidecar; traffic keeps flowing on the last config.
    cp.destroyForcibly();
    assertTrue(cp.waitFor(30, TimeUnit.SECONDS), "the control plane did not die on SIGKILL");
    burst(frontOutbound, "backend:9080", "v1", "with the control plane killed (SIGKILL)");
    assertEquals(200, ready(frontAdmin), "the sidecar stopped being ready without its control plane");

    // Back on the same ports and state folder; an edit of the folder moves traffic to v2.
    cp = start("cp-2", cpYaml, "control-plane");
    awaitReady("restarted control plane", cp, cpAdmin);
    replace(folder.resolve("backend.yaml"), mesh(v1, v2, "v2"));
    await("backend routed to v2 after the restart", () -> call(frontOutbound, "backend:9080"), r -> r.ok("v2"));
    burst(frontOutbound, "backend:9080", "v2", "after the first restart");

    // SIGTERM: a clean stop; traffic keeps flowing on the last config again.
    cp.destroy();
    assertTrue(cp.waitFor(30, TimeUnit.SECONDS), "the control plane did not stop on SIGTERM");
    burst(frontOutbound, "backend:9080", "v2", "with the control plane stopped (SIGTERM)");

    cp = start("cp-3", cpYaml, "control-plane");
    awaitReady("control plane restarted again", cp, cpAdmin);
    replace(folder.resolve("backend.yaml"), mesh(v1, v2, "v1"));
    await("backend routed to v1 after the second restart", () -> call(frontOutbound, "backend:9080"), r -> r.ok("v1"));
    burst(frontOutbound, "backend:9080", "v1", "after the second restart");
  }

  /** ServiceEntry (v1 and v2 endpoints on this JVM's backends), subsets, and all traffic to one. */
  private static String mesh(int v1, int v2, String to) {
    return String.format("""
        apiVersion: networking.istio.io/v1alpha3
        kind: ServiceEntry
        metadata: {name: backend, namespace: default}
        spec:
          hosts: [backend.default.svc.cluster.local]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 9080, name: http, protocol: HTTP}
          endpoints:
          - {address: 127.0.0.1, ports: {http: %d}, labels: {version: v1}}
          - {address: 127.0.0.1, ports: {http: %d}, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: DestinationRule
        metadata: {name: backend, namespace: default}
        spec:
          host: backend.default.svc.cluster.local
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1alpha3
        kind: VirtualService
        metadata: {name: backend, namespace: default}
        spec:
          hosts: [backend.default.svc.cluster.local]
          http:
          - route:
            - destination: {host: backend.default.svc.cluster.local, subset: %s}
        """, v1, v2, to);
  }

  private Path sidecarYaml(String name, int admin, int outbound) throws IOException {
    // Mixer off: the sidecar's traffic must not depend on the control plane being up.
    return Files.writeString(work.resolve(name + ".yaml"), String.format("""
        pluginsDir: %s
        stateDir: %s
        ports: {admin: %d, outbound: %d, inbound: 0, health: 0, prometheus: 0, grpc: 0, grpcTls: 0, mixer: 0, monitoring: 0, webhook: 0}
        plugins:
          settings:
            proxy: {mixer: "off"}
        """, DIST.resolve("plugins"), work.resolve(name + "-state"), admin, outbound));
  }

  /** The command line after {@code bin/mizzen}, made once the ports are chosen. */
  private interface CommandLine {
    String[] make() throws IOException;
  }

  /**
   * Starts a process on ports picked free into {@code ports} and waits until it is ready (its
   * admin port is {@code ports[0]}); when one of them was taken meanwhile, tries again on new
   * ones, at most three times.
   */
  private Process startOnFreePorts(String name, int[] ports, CommandLine command) throws IOException {
    for (int attempt = 1; ; attempt++) {
      System.arraycopy(FreePorts.pick(ports.length), 0, ports, 0, ports.length);
      List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/mizzen").toString()));
      cmd.addAll(List.of(command.make()));
      Path log = work.resolve(name + ".log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      processes.add(p);
      int admin = ports[0];
      boolean[] taken = {false};
      await(name + " ready", () -> {
        if (!p.isAlive()) {
          try {
            taken[0] = Files.readString(log).contains("Address already in use");
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          if (!taken[0]) {
            throw new AssertionError(name + " exited with " + p.exitValue() + "\n" + logs());
          }
          return -1;
        }
        return ready(admin);
      }, status -> taken[0] || status == 200, BOOT);
      if (!taken[0]) {
        return p;
      }
      if (attempt == 3) {
        throw new AssertionError(name + ": its ports were taken three times\n" + logs());
      }
    }
  }

  private Process start(String name, Path yaml, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/mizzen").toString(), "--config", yaml.toString()));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile()).start();
    processes.add(p);
    return p;
  }

  private void awaitReady(String what, Process p, int admin) throws IOException {
    await(what + " ready", () -> {
      if (!p.isAlive()) {
        throw new AssertionError(what + " exited with " + p.exitValue() + "\n" + logs());
      }
      return ready(admin);
    }, status -> status == 200, BOOT);
  }

  private static int ready(int admin) {
    Response r = call(admin, "127.0.0.1:" + admin, "/healthz/ready");
    return r.status();
  }

  /** {@link #BURST} requests one after another, every one answered 200 by {@code expected}. */
  private void burst(int outbound, String host, String expected, String when) throws IOException {
    for (int i = 0; i < BURST; i++) {
      Response r = call(outbound, host);
      assertTrue(r.ok(expected), "request " + i + " " + when + ": expected 200 from " + expected + ", got " + r
          + "\n" + logs());
    }
  }

  private <T> void await(String what, java.util.function.Supplier<T> probe, Predicate<T> accept) throws IOException {
    await(what, probe, accept, CONVERGE);
  }

  private <T> void await(String what, java.util.function.Supplier<T> probe, Predicate<T> accept, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = probe.get();
    while (!accept.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what + "; last: " + last + "\n" + logs());
      }
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
      last = probe.get();
    }
  }

  /** An answer: status (-1: none) and body. */
  private record Response(int status, String body) {
    boolean ok(String from) {
      return status == 200 && body.trim().equals(from);
    }
  }

  private static Response call(int port, String host) {
    return call(port, host, "/");
  }

  /**
   * One HTTP/1.1 exchange on a fresh connection (the Host header names the destination); the body
   * is read by its length, not to the connection's end.
   */
  private static Response call(int port, String host, String path) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      // Keep-alive, as apps talk to their sidecar; the socket is closed once the response is read.
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      String status = line(in);
      if (!status.startsWith("HTTP/1.1 ")) {
        return new Response(-1, status);
      }
      int length = -1;
      boolean chunked = false;
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        String lower = h.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      StringBuilder body = new StringBuilder();
      if (chunked) {
        for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
            size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
          body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
          line(in);
        }
      } else if (length >= 0) {
        body.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
      } else {
        body.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      return new Response(Integer.parseInt(status.substring(9, 12)), body.toString());
    } catch (IOException | RuntimeException e) {
      return new Response(-1, e.toString());
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed mid-line after '" + b.toString(StandardCharsets.ISO_8859_1) + "'");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** A backend answering its name to every request (a Vert.x server, as the demo's apps are). */
  private int backend(String name) throws Exception {
    HttpServer server = backendVertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("content-type", "text/plain").end(name));
    return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
  }

  /**
   * The services of the endpoints proxy {@code id} holds, as it acknowledged them (the control
   * plane's {@code /debug/proxy}), with "(synced)" among them when it is SYNCED; empty while that
   * proxy is unknown.
   */
  private static java.util.Set<String> endpointsOf(int monitoring, String id) {
    Response r = call(monitoring, "127.0.0.1:" + monitoring, "/debug/proxy?id=" + id);
    java.util.Set<String> services = new java.util.TreeSet<>();
    if (r.status() == 200) {
      JsonObject held = new JsonObject(r.body());
      held.getJsonArray("instances").forEach(i -> services.add(((JsonObject) i).getString("service")));
      if ("SYNCED".equals(held.getJsonObject("status").getString("status"))) {
        services.add("(synced)");
      }
    }
    return services;
  }

  /** Replaces a watched file in one step, as an editor saving it would. */
  private static void replace(Path file, String content) throws IOException {
    Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private String logs() {
    StringBuilder b = new StringBuilder();
    try (var files = Files.list(work)) {
      for (Path log : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
        List<String> lines = Files.readAllLines(log);
        b.append("--- ").append(log.getFileName()).append(" (last 40 lines)\n");
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
      }
    } catch (IOException e) {
      b.append("(logs unreadable: ").append(e).append(")");
    }
    return b.toString();
  }
}
