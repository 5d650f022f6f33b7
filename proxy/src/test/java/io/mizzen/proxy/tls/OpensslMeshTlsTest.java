package io.mizzen.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mizzen.spi.ca.WorkloadCredentials;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openssl s_client} as an outside client of a {@link MeshTls} server: the chain verifies
 * against the mesh root, TLS 1.3 with the workload certificate resumes its session, and a client
 * without a certificate is refused. Skipped, saying why, where openssl (Debian package openssl) is
 * missing.
 */
class OpensslMeshTlsTest {
  private EventLoopGroup group;
  private TestPki mesh;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(opensslPresent(), "openssl is not installed (Debian package openssl): s_client checks skipped");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    mesh = new TestPki("cluster.local");
  }

  @AfterEach
  void stop() {
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static boolean opensslPresent() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void opensslVerifiesTheChainAndResumesItsTls13Session() throws Exception {
    MeshTlsTest.Server server = MeshTlsTest.serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    Path[] files = write(mesh.workload("productpage"));
    Path session = dir.resolve("session.pem");

    String first = sClient(server.port(), files, List.of("-sess_out", session.toString()));
    assertTrue(first.contains("Verify return code: 0 (ok)"), first);
    assertTrue(first.contains("TLSv1.3"), first);
    assertEquals("cluster.local/ns/default/sa/productpage", server.nextHandshake());
    assertTrue(Files.size(session) > 0, "s_client saved a session ticket");

    String second = sClient(server.port(), files, List.of("-sess_in", session.toString()));
    assertTrue(second.contains("Reused, TLSv1.3"), second);
  }

  @Test
  void opensslWithoutAClientCertificateIsRefused() throws Exception {
    MeshTlsTest.Server server = MeshTlsTest.serve(group, MeshTls.create(new HeldCertificates(mesh.workload("reviews"))));
    Path[] files = write(mesh.workload("productpage"));
    String out = run(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-tls1_3",
        "-CAfile", files[2].toString(), "-verify_return_error"), false);
    assertInstanceOf(Throwable.class, server.nextHandshake(), out);
  }

  private Path[] write(WorkloadCredentials credentials) throws Exception {
    Path cert = Files.writeString(dir.resolve("cert-chain.pem"), credentials.certificateChainPem());
    Path key = Files.writeString(dir.resolve("key.pem"), credentials.privateKeyPem());
    Path root = Files.writeString(dir.resolve("root-cert.pem"), String.join("", credentials.rootsPem()));
    return new Path[] {cert, key, root};
  }

  private String sClient(int port, Path[] files, List<String> extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_3",
        "-cert", files[0].toString(), "-key", files[1].toString(), "-CAfile", files[2].toString(), "-verify_return_error"));
    cmd.addAll(extra);
    return run(cmd, true);
  }

  /**
   * Runs s_client and sends the line the echo server closes on. With {@code -ign_eof} s_client
   * reads until that close, so it has processed the TLS 1.3 ticket (sent before the echo) by the
   * time it exits and saves its session. Bounded at 20 s.
   */
  private static String run(List<String> cmd, boolean untilServerCloses) throws Exception {
    List<String> full = new ArrayList<>(cmd);
    if (untilServerCloses) {
      full.add("-ign_eof");
    }
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        return "unreadable s_client output: " + e;
      }
    });
    try (OutputStream in = p.getOutputStream()) {
      in.write((MeshTlsTest.BYE + "\n").getBytes(StandardCharsets.US_ASCII));
    } catch (java.io.IOException e) {
      // s_client already gone (refused): its output says why.
    }
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl s_client did not finish within 20 s: " + output.getNow("(no output yet)"));
    }
    return output.get(10, TimeUnit.SECONDS);
  }
}
