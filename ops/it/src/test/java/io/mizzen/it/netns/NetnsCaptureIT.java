package io.mizzen.it.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mizzen.proxy.capture.OriginalDestination;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transparent capture on this machine's kernel, driving the built distribution as Kubernetes
 * would: a control plane in the hub namespace, pod "sleep" (a plain curl, its sidecar) and pod
 * "reviews" (an echo app on loopback, its sidecar), each pod with the rules of
 * {@code mizzen iptables} and its sidecar running as uid/gid 1337, which those rules exclude.
 * Skipped, saying why, where namespaces or nat rules cannot be made.
 */
class NetnsCaptureIT {
  private static final Path DIST = Path.of(System.getProperty("mizzen.dist", "../dist/target/mizzen")).toAbsolutePath();
  private static final String PROXY_ID = "1337";
  /** reviews' cluster IP: on the lab's subnet, on no interface (as a Kubernetes Service's). */
  private static final String REVIEWS_VIP = NetnsLab.SUBNET + ".100";
  private static final long BOOT_SECONDS = 180;

  @BeforeAll
  static void machineCanRunIt() {
    String reason = NetnsLab.unavailableReason();
    Assumptions.assumeTrue(reason == null, reason);
    Assumptions.assumeTrue(Files.isExecutable(DIST.resolve("bin/mizzen")),
        "netns capture test skipped: the distribution is not built at " + DIST);
  }

  @Test
  void plainCurlIsCapturedRoutedByTheVirtualServiceAndMutualTlsOnTheWire() throws Exception {
    Path work = workFolder("mesh");
    try (NetnsLab lab = new NetnsLab()) {
      String hub = lab.hub();
      String sleep = lab.pod("sleep");
      String reviews = lab.pod("reviews");
      // Citadel's serving certificate names istiod.istio-system.svc (as Istio's does), not an address:
      // the pods resolve that name as cluster DNS would resolve the Service.
      String controlPlane = "istiod.istio-system.svc";
      String istiod = lab.address(hub);

      // The control plane: Pilot, Citadel (the bouncycastle CA plugin) and the mesh config.
      Path cp = Files.createDirectories(work.resolve("control-plane"));
      Path cpPlugins = Files.createDirectories(cp.resolve("plugins"));
      Files.copy(DIST.resolve("plugins/plugin-ca-bouncycastle.jar"), cpPlugins.resolve("plugin-ca-bouncycastle.jar"));
      Path config = Files.createDirectories(cp.resolve("config"));
      Files.writeString(config.resolve("reviews.yaml"), """
          apiVersion: networking.istio.io/v1alpha3
          kind: VirtualService
          metadata: {name: reviews, namespace: default}
          spec:
            hosts: [reviews]
            http:
            - headers:
                request: {add: {x-netns-route: reviews-v1}}
                response: {add: {x-routed-by: virtualservice-reviews}}
              route:
              - destination: {host: reviews, subset: v1}
          ---
          apiVersion: networking.istio.io/v1alpha3
          kind: DestinationRule
          metadata: {name: reviews, namespace: default}
          spec:
            host: reviews
            trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
            subsets:
            - {name: v1, labels: {version: v1}}
          """);
      Path cpYaml = Files.writeString(cp.resolve("mizzen.yaml"), String.format("""
          pluginsDir: %s
          stateDir: %s
          config: {folder: %s}
          bindAddress: 0.0.0.0
          ports: {admin: 15000, grpc: 15010, grpcTls: 15012, mixer: 9091, monitoring: 15014, webhook: 0, outbound: 0, inbound: 0, health: 0, prometheus: 0}
          """, cpPlugins, cp.resolve("state"), config));
      Path sleepToken = token(cp, "sleep");
      Path reviewsToken = token(cp, "bookinfo-reviews");
      Process cpProcess = lab.start(hub, mizzen("--config", cpYaml.toString(), "control-plane"), cp.resolve("log"), env(cp));
      waitFor("control plane ready", cpProcess, () -> http(hub, "http://127.0.0.1:15000/healthz/ready").startsWith("200"),
          cp.resolve("log"));
      Path roots = rootCert(cp.resolve("state"));

      // The server pod: the app only on loopback, so nothing reaches it but through the sidecar.
      Path reviewsDir = Files.createDirectories(work.resolve("reviews"));
      lab.start(reviews, List.of(java(), "-cp", System.getProperty("java.class.path"), EchoApp.class.getName(),
          "127.0.0.1", "9080"), reviewsDir.resolve("app.log"), Map.of());
      lab.hosts(reviews, Map.of(controlPlane, istiod));
      iptables(reviews);
      Process reviewsSidecar = lab.start(reviews, sidecar(pod(reviewsDir, "bookinfo-reviews", reviewsToken, roots, controlPlane, 15006),
          "--service", "reviews", "--labels", "app=reviews,version=v1", "--service-account", "bookinfo-reviews",
          "--app-port", "9080", "--address", lab.address(reviews), "--control-plane", controlPlane + ":15010"),
          reviewsDir.resolve("sidecar.log"), env(reviewsDir));

      // The client pod: no app port (no inbound listener), "reviews" resolving to its cluster IP.
      Path sleepDir = Files.createDirectories(work.resolve("sleep"));
      lab.hosts(sleep, Map.of("reviews reviews.default.svc.cluster.local", REVIEWS_VIP, controlPlane, istiod));
      iptables(sleep);
      Process sleepSidecar = lab.start(sleep, sidecar(pod(sleepDir, "sleep", sleepToken, roots, controlPlane, -1),
          "--service", "sleep", "--labels", "app=sleep", "--service-account", "sleep",
          "--address", lab.address(sleep), "--control-plane", controlPlane + ":15010"),
          sleepDir.resolve("sidecar.log"), env(sleepDir));
      waitFor("reviews' sidecar ready", reviewsSidecar, () -> http(reviews, "http://127.0.0.1:15000/healthz/ready").startsWith("200"),
          reviewsDir.resolve("sidecar.log"));
      waitFor("sleep's sidecar ready", sleepSidecar, () -> http(sleep, "http://127.0.0.1:15000/healthz/ready").startsWith("200"),
          sleepDir.resolve("sidecar.log"));

      // The app's own request: plain curl, no proxy settings, to the service name.
      String[] reply = new String[1];
      waitFor("curl http://reviews:9080/ from the sleep pod answered by reviews through both sidecars", sleepSidecar, () -> {
        reply[0] = curl(sleep, "-s", "-i", "--noproxy", "*", "http://reviews:9080/productpage?u=1");
        return reply[0].startsWith("HTTP/1.1 200") && reply[0].contains("echo GET");
      }, sleepDir.resolve("sidecar.log"));
      String answer = reply[0].toLowerCase(java.util.Locale.ROOT);
      // sleep's sidecar routed it: the VirtualService's response header is on the answer...
      assertTrue(answer.contains("x-routed-by: virtualservice-reviews"), reply[0]);
      // ...and its request header reached the app, which reviews' sidecar delivered.
      assertTrue(answer.contains("x-netns-route: reviews-v1"), reply[0]);
      // reviews' inbound terminated mutual TLS: the peer header carries sleep's identity, from its certificate.
      assertTrue(answer.lines().anyMatch(l -> l.startsWith("x-mizzen-peer:") && l.contains("cluster.local/ns/default/sa/sleep")),
          reply[0]);

      // Both redirects fired in the kernel: sleep's outbound chain and reviews' inbound chain counted packets.
      assertTrue(packets(sleep, "ISTIO_REDIRECT") > 0, "sleep's ISTIO_REDIRECT never matched");
      assertTrue(packets(reviews, "ISTIO_IN_REDIRECT") > 0, "reviews' ISTIO_IN_REDIRECT never matched");
      // The hop between the pods was mutual TLS, as reviews' sidecar reports it (the request is
      // counted as its exchange ends, which may be just after curl has its answer: wait for it).
      waitFor("reviews' /stats/prometheus counting sleep's request as mutual_tls", reviewsSidecar,
          () -> http(reviews, "http://127.0.0.1:15090/stats/prometheus").lines()
              .anyMatch(l -> l.startsWith("istio_requests_total")
                  && l.contains("connection_security_policy=\"mutual_tls\"")
                  && l.contains("cluster.local/ns/default/sa/sleep")),
          reviewsDir.resolve("sidecar.log"));
      // The app listens on loopback only: from outside the pod, 9080 answers only through inbound capture.
      String direct = curl(hub, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
          "http://" + lab.address(reviews) + ":9080/");
      assertEquals("200", direct.strip(), "a plain request from outside the mesh to reviews:9080 (PERMISSIVE)");

      Assumptions.assumeTrue(Files.isReadable(OriginalDestination.PROC_CONNTRACK), "capture, routing and mTLS passed; "
          + "the passthrough-by-original-destination check is skipped: " + OriginalDestination.PROC_CONNTRACK
          + " is not readable (nf_conntrack not loaded, or a kernel without CONFIG_NF_CONNTRACK_PROCFS)");
      // A host no service has: the sidecar passes it through to where curl dialled (the conntrack
      // table's original destination), not to the Host header's name, which resolves nowhere.
      String passthrough = curl(sleep, "-s", "-i", "--noproxy", "*", "--max-time", "20", "-H", "Host: nowhere.invalid",
          "http://" + lab.address(reviews) + ":9080/passthrough");
      assertTrue(passthrough.startsWith("HTTP/1.1 200") && passthrough.contains("echo GET /passthrough"), passthrough);
      assertTrue(passthrough.toLowerCase(java.util.Locale.ROOT).contains("host: nowhere.invalid"), passthrough);

    }
  }

  @Test
  void theOriginalDestinationOfACapturedConnectionComesFromConntrack() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(OriginalDestination.PROC_CONNTRACK), "original-destination test skipped: "
        + OriginalDestination.PROC_CONNTRACK + " is not readable (nf_conntrack not loaded, or a kernel without "
        + "CONFIG_NF_CONNTRACK_PROCFS); the proxy then routes captured traffic by Host header and app port");
    Path work = workFolder("probe");
    try (NetnsLab lab = new NetnsLab()) {
      String pod = lab.pod("probe");
      iptables(pod);
      Process probe = lab.start(pod, List.of(java(), "-cp", System.getProperty("java.class.path"), CaptureProbe.class.getName(), "15001"),
          work.resolve("probe.log"), Map.of());
      String[] reply = new String[1];
      waitFor("the capture probe answering a captured connection", probe, () -> {
        reply[0] = curl(pod, "-s", "--max-time", "10", "http://" + NetnsLab.SUBNET + ".50:9080/anything");
        return reply[0].startsWith("original=");
      }, work.resolve("probe.log"));
      // The app dialled .50:9080, which no interface has: the probe got it through REDIRECT.
      assertTrue(reply[0].startsWith("original=" + NetnsLab.SUBNET + ".50:9080 "), reply[0]);
      assertTrue(reply[0].contains("local=/127.0.0.1:15001"), reply[0]);
    }
  }

  /** Runs {@code mizzen iptables} in {@code ns}, as the injected init container does. */
  private static void iptables(String ns) {
    List<String> cmd = new ArrayList<>(List.of("env", "MIZZEN_CDS=off"));
    // kube-inject's arguments: the health and Prometheus ports stay reachable from outside.
    cmd.addAll(mizzen("iptables", "-p", "15001", "-z", "15006", "-u", PROXY_ID, "-g", PROXY_ID, "-d", "15021,15090"));
    Shell.run(Shell.in(ns, cmd.toArray(String[]::new)), 120).checked();
  }

  /** A sidecar's settings: Istio's ports inside its own namespace, its identity from Citadel. */
  private static Path pod(Path dir, String serviceAccount, Path token, Path roots, String controlPlane, int inboundPort)
      throws IOException {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Path yaml = Files.writeString(dir.resolve("mizzen.yaml"), String.format("""
        pluginsDir: %s
        stateDir: %s
        bindAddress: 0.0.0.0
        ports: {admin: 15000, outbound: 15001, inbound: 15006, health: 15021, prometheus: 15090, grpc: 0, grpcTls: 0, mixer: 0, monitoring: 0, webhook: 0}
        plugins:
          settings:
            proxy: {mixer: "off", originalDestination: conntrack, inboundPort: %d}
            citadel-agent: {controlPlane: "%s:15012", namespace: default, serviceAccount: %s, tokenFile: %s, rootCertFile: %s}
        """, plugins, dir.resolve("state"), inboundPort, controlPlane, serviceAccount, token, roots));
    // The sidecar runs as the proxy uid: it must own what it writes.
    Shell.run("chown", "-R", PROXY_ID + ":" + PROXY_ID, dir.toString()).checked();
    return yaml;
  }

  private static List<String> sidecar(Path yaml, String... flags) {
    // uid/gid 1337 as the injected sidecar; group 0 as a supplementary group only because the
    // conntrack table is root:root 0440 (Kubernetes: the pod's supplementalGroups: [0]).
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + PROXY_ID, "--regid=" + PROXY_ID, "--groups=0"));
    cmd.addAll(mizzen("--config", yaml.toString(), "sidecar"));
    cmd.addAll(List.of(flags));
    return cmd;
  }

  private static List<String> mizzen(String... args) {
    List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/mizzen").toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Map<String, String> env(Path home) {
    // No class-data archive: several JVMs start at once and none may write lib/.
    return Map.of("MIZZEN_CDS", "off", "HOME", home.toString());
  }

  /** A bootstrap token for a service account, created before the control plane reads its store. */
  private static Path token(Path cp, String serviceAccount) throws IOException {
    Shell.Result r = Shell.run(List.of("env", "MIZZEN_CDS=off", DIST.resolve("bin/mizzen").toString(), "token",
        "--state-dir", cp.resolve("state/citadel").toString(), "create",
        "--sa", serviceAccount, "--ns", "default"), 120);
    // The token is the one line on standard output; the note beside it goes to standard error.
    String output = r.checked();
    String last = output.lines().map(String::strip).filter(l -> l.startsWith("mzt.")).findFirst()
        .orElseThrow(() -> new AssertionError("mizzen token create printed no token: " + output));
    Path file = cp.resolve(serviceAccount + ".token");
    Files.writeString(file, last);
    file.toFile().setReadable(true, false);
    return file;
  }

  /** The mesh root the CA made (or loaded) in the control plane's state. */
  private static Path rootCert(Path state) throws IOException {
    try (var files = Files.walk(state)) {
      Path root = files.filter(f -> f.getFileName().toString().equals("root-cert.pem")).findFirst()
          .orElseThrow(() -> new AssertionError("no root-cert.pem under " + state));
      Path copy = state.getParent().resolve("root-cert.pem");
      Files.copy(root, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      copy.toFile().setReadable(true, false);
      return copy;
    }
  }

  /** Status line then body of a GET from inside {@code ns}, or the curl error. */
  private static String http(String ns, String url) {
    String out = Shell.run(Shell.in(ns, "curl", "-s", "--noproxy", "*", "--max-time", "10", "-w", "\n%{http_code}", url))
        .output();
    int nl = out.lastIndexOf('\n');
    return out.substring(nl + 1).strip() + "\n" + out.substring(0, Math.max(nl, 0));
  }

  private static String curl(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("curl"));
    cmd.addAll(List.of(args));
    return Shell.run(Shell.in(ns, cmd.toArray(String[]::new))).output();
  }

  /** Packets the nat chain's rules in {@code ns} have matched. */
  private static long packets(String ns, String chain) {
    String listing = Shell.run(Shell.in(ns, "iptables", "-t", "nat", "-L", chain, "-v", "-n", "-x")).checked();
    long total = 0;
    Matcher m = Pattern.compile("(?m)^\\s*(\\d+)\\s+\\d+\\s+REDIRECT").matcher(listing);
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }

  /** Polls {@code condition} until true; fails at once, with its log, if {@code process} exits. */
  private static void waitFor(String what, Process process, Supplier<Boolean> condition, Path log) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOOT_SECONDS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(what + ": the process exited with " + process.exitValue() + "; log " + log + ":\n"
            + Files.readString(log));
      }
      if (condition.get()) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
    }
    throw new AssertionError("not within " + BOOT_SECONDS + " s: " + what + "; log " + log + ":\n"
        + (Files.exists(log) ? Files.readString(log) : "(none)"));
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Under target/, readable by the proxy uid (JUnit's temp folders are private to root). */
  private static Path workFolder(String name) throws IOException {
    Path dir = Path.of("target", "netns-" + name + "-" + Long.toHexString(System.nanoTime())).toAbsolutePath();
    Files.createDirectories(dir);
    Shell.run("chmod", "755", dir.toString()).checked();
    return dir;
  }
}
