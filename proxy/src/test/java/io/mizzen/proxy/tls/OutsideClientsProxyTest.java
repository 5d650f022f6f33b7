package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mizzen.spi.ca.WorkloadCredentials;
import io.mizzen.spi.config.Resource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openssl s_client} and {@code curl --cert/--key/--cacert} as clients from outside the mesh
 * against a real sidecar inbound: the chain verifies against the mesh root and names the SPIFFE
 * identity; STRICT refuses plain text, a certificate from another root and an expired one;
 * PERMISSIVE takes plain text and mutual TLS; curl gets h2 by ALPN, or HTTP/1.1 with
 * {@code --http1.1}. Skipped, naming the Debian package, where a tool is
 * missing.
 */
class OutsideClientsProxyTest {
  private Sidecars mesh;
  private int inbound;
  @TempDir Path dir;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(present("openssl", "version"), "openssl is not installed (Debian package openssl): outside-client checks skipped");
    assumeTrue(present("curl", "--version"), "curl is not installed (Debian package curl): outside-client checks skipped");
    mesh = new Sidecars();
    inbound = mesh.start("reviews").proxy().inboundPort();
  }

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private static Resource mode(String mode) {
    return Sidecars.resource("apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
        + "  namespace: default\nspec:\n  mtls:\n    mode: " + mode + "\n");
  }

  @Test
  void opensslVerifiesTheChainAndTheSanIsTheSpiffeId() throws Exception {
    mesh.apply(List.of(mode("STRICT")));
    Path[] files = write("productpage", mesh.mesh.workload("bookinfo-productpage"));
    Result r = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + inbound, "-tls1_3", "-cert", files[0].toString(),
        "-key", files[1].toString(), "-CAfile", files[2].toString(), "-verify_return_error", "-ign_eof"),
        "GET / HTTP/1.1\r\nHost: reviews\r\nConnection: close\r\n\r\n");
    assertTrue(r.output().contains("Verify return code: 0 (ok)"), r.output());
    assertTrue(r.output().contains("HTTP/1.1 200"), r.output());
    assertTrue(r.output().contains("cluster.local/ns/default/sa/bookinfo-productpage"), "the inbound saw the client's identity: " + r.output());
    String out = r.output();
    String pem = out.substring(out.indexOf("-----BEGIN CERTIFICATE-----"), out.indexOf("-----END CERTIFICATE-----") + 25);
    X509Certificate served = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(List.of(List.of(6, "spiffe://cluster.local/ns/default/sa/bookinfo-reviews")),
        served.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
  }

  @Test
  void strictRefusesPlainTextAForeignAndAnExpiredCertificate() throws Exception {
    mesh.apply(List.of(mode("STRICT")));
    Result good = curl(write("good", mesh.mesh.workload("bookinfo-productpage")));
    assertEquals(0, good.exit(), good.output());
    assertTrue(good.output().endsWith("200"), good.output());

    Result plain = curl(null);
    assertNotEquals(0, plain.exit(), "plain text: " + plain.output());
    assertTrue(!plain.output().endsWith("200"), plain.output());

    TestPki elsewhere = new TestPki("elsewhere");
    Instant now = Instant.now();
    WorkloadCredentials foreign = elsewhere.workload("bookinfo-productpage", now.minusSeconds(60), now.plus(Duration.ofHours(1)),
        List.of(mesh.mesh.rootPem()));
    Result refused = curl(write("foreign", foreign));
    assertNotEquals(0, refused.exit(), "a certificate from another root: " + refused.output());
    assertTrue(!refused.output().endsWith("200"), refused.output());

    WorkloadCredentials expired = mesh.mesh.workload("bookinfo-productpage", now.minus(Duration.ofHours(2)),
        now.minus(Duration.ofHours(1)), List.of(mesh.mesh.rootPem()));
    Result late = curl(write("expired", expired));
    assertNotEquals(0, late.exit(), "an expired certificate: " + late.output());
    assertTrue(!late.output().endsWith("200"), late.output());
  }

  @Test
  void permissiveTakesPlainTextAndMutualTls() throws Exception {
    mesh.apply(List.of(mode("PERMISSIVE")));
    Result plain = curl(null);
    assertEquals(0, plain.exit(), plain.output());
    assertTrue(plain.output().endsWith("200"), plain.output());
    Result mutual = curl(write("good", mesh.mesh.workload("bookinfo-productpage")));
    assertEquals(0, mutual.exit(), mutual.output());
    assertTrue(mutual.output().endsWith("200"), mutual.output());
  }

  @Test
  void curlGetsH2ByAlpnOrHttp11WhenItAsksForIt() throws Exception {
    mesh.apply(List.of(mode("STRICT")));
    Path[] files = write("good", mesh.mesh.workload("bookinfo-productpage"));
    Result http11 = curl(files, "--http1.1");
    assertEquals(0, http11.exit(), http11.output());
    assertEquals("1.1 200", http11.output());
    Result h2 = curl(files, "--http2");
    assertEquals(0, h2.exit(), h2.output());
    assertEquals("2 200", h2.output());
  }

  /**
   * curl to the inbound with {@code files} (cert, key, root) over TLS, or plain text when null;
   * prints the status, or with {@code options} (an HTTP version flag) the HTTP version and the status.
   */
  private Result curl(Path[] files, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-H", "Host: reviews", "-o", "/dev/null",
        "-w", options.length == 0 ? "%{http_code}" : "%{http_version} %{http_code}"));
    cmd.addAll(List.of(options));
    if (files == null) {
      cmd.add("http://127.0.0.1:" + inbound + "/");
    } else {
      // The workload certificate names a SPIFFE URI, no host name, so curl's host-name check is off
      // (-k); openssl's test above verifies the chain against the root.
      cmd.addAll(List.of("--cert", files[0].toString(), "--key", files[1].toString(), "--cacert", files[2].toString(), "-k",
          "https://127.0.0.1:" + inbound + "/"));
    }
    return run(cmd, null);
  }

  private Path[] write(String name, WorkloadCredentials c) throws Exception {
    Path cert = Files.writeString(dir.resolve(name + "-cert-chain.pem"), c.certificateChainPem());
    Path key = Files.writeString(dir.resolve(name + "-key.pem"), c.privateKeyPem());
    Path root = Files.writeString(dir.resolve(name + "-root-cert.pem"), mesh.mesh.rootPem());
    return new Path[] {cert, key, root};
  }

  private record Result(int exit, String output) {}

  /** Runs a client, writing {@code input} (if any) to it; bounded at 30 s. */
  private static Result run(List<String> cmd, String input) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        return "unreadable output: " + e;
      }
    });
    try (var in = p.getOutputStream()) {
      if (input != null) {
        in.write(input.getBytes(StandardCharsets.US_ASCII));
      }
    } catch (java.io.IOException e) {
      // The client is already gone (refused): its output says why.
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd.get(0) + " did not finish within 30 s: " + output.getNow("(no output yet)"));
    }
    return new Result(p.exitValue(), output.get(10, TimeUnit.SECONDS).trim());
  }

  private static boolean present(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
